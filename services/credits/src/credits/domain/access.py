"""Who may manage or read which credits."""

MANAGING_ROLES = frozenset({"platform_operator", "org_admin", "erp"})


def may_manage(role: str, caller_organisation_id: str | None, organisation_id: str) -> bool:
    """Admins and ERP systems act inside their own organisation only; the platform operator anywhere."""
    if role == "platform_operator":
        return True
    return role in ("org_admin", "erp") and caller_organisation_id == organisation_id


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

