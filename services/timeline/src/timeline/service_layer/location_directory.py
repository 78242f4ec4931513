"""Contact data of the family's locations and "our team": staff of the groups the family's children are in."""

from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from timeline.db.location import loc_groups, loc_locations, loc_staff
from timeline.service_layer.location_access import Viewer


async def _location_ids(session: AsyncSession, viewer: Viewer) -> list[UUID] | None:
    """A parent's locations; None for staff and admins (all of their organisation's)."""
    if viewer.is_parent:
        return sorted({p.location_id for p in viewer.placements}, key=str)
    return None


async def locations(session: AsyncSession, viewer: Viewer) -> list[Row]:
    query = select(loc_locations).where(loc_locations.c.deleted.is_(False)).order_by(loc_locations.c.name)
    if viewer.organisation_id is not None:
        query = query.where(loc_locations.c.organisation_id == viewer.organisation_id)
    wanted = await _location_ids(session, viewer)
    if wanted is not None:
        query = query.where(loc_locations.c.location_id.in_(wanted))
    return list((await session.execute(query)).all())


async def team(session: AsyncSession, viewer: Viewer) -> tuple[list[Row], dict[UUID, Row]]:
    """Active staff of the viewer's groups (a parent: the groups their children are placed in), with the groups."""
    groups_query = select(loc_groups).where(loc_groups.c.deleted.is_(False))
    if viewer.organisation_id is not None:
        groups_query = groups_query.where(loc_groups.c.organisation_id == viewer.organisation_id)
    if viewer.is_parent:
        groups_query = groups_query.where(loc_groups.c.group_id.in_([p.group_id for p in viewer.placements]))
    groups = {row.group_id: row for row in await session.execute(groups_query)}
    if not groups:
        return [], {}
    staff = await session.execute(select(loc_staff).where(
        loc_staff.c.deleted.is_(False), loc_staff.c.active.is_(True),
        loc_staff.c.group_ids.overlap(list(groups))).order_by(loc_staff.c.name, loc_staff.c.staff_id))
    return list(staff.all()), groups
