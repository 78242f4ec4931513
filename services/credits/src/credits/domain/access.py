"""Who may read which credits (who may manage an organisation is the kit's rule: `konnect_kit.roles`)."""

from konnect_kit.roles import may_manage


def may_read_child(
    role: str,
    *,
    caller_organisation_id: str | None,
    child_organisation_id: str,
    caller_family_id: object | None,
    child_family_id: object | None,
) -> bool:
    """Managers of the child's organisation, or a parent of the child's own family; callers that fail get 404."""
    if may_manage(role, caller_organisation_id, child_organisation_id):
        return True
    if role != "parent" or caller_family_id is None or child_family_id is None:
        return False
    # A parent's forwarded tenant must agree with the child's organisation too.
    return caller_organisation_id in (None, child_organisation_id) and caller_family_id == child_family_id

