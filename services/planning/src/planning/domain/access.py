"""Who may see a family's or child's planning."""

from uuid import UUID

ORGANISATION_READERS = frozenset({"org_admin", "erp", "staff"})


def may_see_planning(
    role: str, caller_organisation_id: str | None, *, organisation_id: UUID, family_id: UUID,
    caller_family_id: UUID | None,
) -> bool:
    """A parent sees their own family; staff, admins and the ERP their organisation's; the operator all.

    Callers that fail get a 404, never a 403: a child's or family's existence stays hidden.
    """
    if role == "platform_operator":
        return True
    if caller_organisation_id is not None and caller_organisation_id != str(organisation_id):
        return False
    if role == "parent":
        return caller_family_id is not None and caller_family_id == family_id
    return role in ORGANISATION_READERS and caller_organisation_id == str(organisation_id)
