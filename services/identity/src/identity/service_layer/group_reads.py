"""Groups for the people who work there: staff see the groups they work on, admins every group of their
organisation, each with the children placed in it today (to tag in photos, write about, or write to)."""

from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden
from konnect_kit.internal import Caller
from konnect_kit.tenancy import bound_organisation, not_found

from identity.db import group_reads as db
from identity.db.group_reads import GroupChildRow, GroupRow
from identity.db.queries import organisation_today
from identity.domain.directory import GROUP_READERS, group_readable

__all__ = ["GroupChildRow", "GroupRow", "group_children", "my_groups"]

REFUSAL = "Groups and their children are for the organisation's staff and admins."


def _organisation(who: Caller) -> UUID:
    organisation = bound_organisation(who)
    if who.role not in GROUP_READERS or organisation is None:
        raise Forbidden("forbidden", REFUSAL)
    return organisation


def _staff_id(who: Caller) -> UUID | None:
    try:
        return UUID(who.actor_id)  # a staff member's account id is their staff id
    except (TypeError, ValueError):
        return None


async def my_groups(session: Session, who: Caller) -> list[GroupRow]:
    """Staff: the groups they work on; admins: every group of their organisation."""
    organisation = _organisation(who)
    if who.role == "org_admin":
        return await db.groups_of_organisation(session, organisation)
    staff_id = _staff_id(who)
    return await db.groups_of_working_staff(session, staff_id, organisation) if staff_id else []


async def group_children(session: Session, who: Caller,
                         group_id: UUID) -> tuple[GroupRow, list[GroupChildRow]]:
    """The group and its children placed today; 404 for a group the caller does not work on (or another
    organisation's), so ids do not reveal what exists."""
    organisation = _organisation(who)
    group = await db.group_in_organisation(session, group_id, organisation)
    works_on_group = False
    if group is not None and who.role == "staff":
        staff_id = _staff_id(who)
        works_on_group = staff_id is not None and any(
            g.group_id == group_id for g in await db.groups_of_working_staff(session, staff_id, organisation))
    if group is None or not group_readable(who.role, works_on_group=works_on_group):
        raise not_found("group")
    return group, await db.children_placed_in(session, group_id, await organisation_today(session, organisation))
