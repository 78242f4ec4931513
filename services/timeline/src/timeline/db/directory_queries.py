"""Queries of identity's directory as timeline holds it (`loc_*` read models): who a caller is, the family's
placements, a child, contact data and the team."""

from datetime import date
from uuid import UUID

from konnect_kit.db import Session
from sqlalchemy import Row, select

from timeline.db.location import loc_children, loc_groups, loc_locations, loc_parents, loc_staff
from timeline.db.visibility import placements


async def family_of_parent(session: Session, account_id: UUID, organisation_id: UUID) -> UUID | None:
    return await session.scalar(select(loc_parents.c.family_id).where(
        loc_parents.c.account_id == account_id, loc_parents.c.organisation_id == organisation_id,
        loc_parents.c.deleted.is_(False)))


async def active_staff(session: Session, account_id: UUID, organisation_id: UUID | None) -> Row | None:
    """(staff_id, group_ids) of the active staff record of this account."""
    return (await session.execute(select(loc_staff.c.staff_id, loc_staff.c.group_ids).where(
        loc_staff.c.account_id == account_id, loc_staff.c.organisation_id == organisation_id,
        loc_staff.c.deleted.is_(False), loc_staff.c.active.is_(True)))).first()


async def family_placements(session: Session, organisation_id: UUID, family_id: UUID, today: date) -> list[Row]:
    """(group_id, location_id) of the family's children's placements now or to come."""
    query = placements(today, organisation_id=organisation_id, family_id=family_id)
    return list((await session.execute(query)).all())


async def child(session: Session, child_id: UUID) -> Row | None:
    """(organisation_id, family_id) of a child that is not deleted."""
    return (await session.execute(select(loc_children.c.organisation_id, loc_children.c.family_id).where(
        loc_children.c.child_id == child_id, loc_children.c.deleted.is_(False)))).first()


async def locations(session: Session, organisation_id: UUID | None, location_ids: list[UUID] | None) -> list[Row]:
    query = select(loc_locations).where(loc_locations.c.deleted.is_(False)).order_by(loc_locations.c.name)
    if organisation_id is not None:
        query = query.where(loc_locations.c.organisation_id == organisation_id)
    if location_ids is not None:
        query = query.where(loc_locations.c.location_id.in_(location_ids))
    return list((await session.execute(query)).all())


async def groups(session: Session, organisation_id: UUID | None, group_ids: list[UUID] | None) -> dict[UUID, Row]:
    query = select(loc_groups).where(loc_groups.c.deleted.is_(False))
    if organisation_id is not None:
        query = query.where(loc_groups.c.organisation_id == organisation_id)
    if group_ids is not None:
        query = query.where(loc_groups.c.group_id.in_(group_ids))
    return {row.group_id: row for row in await session.execute(query)}


async def active_staff_of_groups(session: Session, group_ids: list[UUID]) -> list[Row]:
    return list((await session.execute(select(loc_staff).where(
        loc_staff.c.deleted.is_(False), loc_staff.c.active.is_(True),
        loc_staff.c.group_ids.overlap(group_ids)).order_by(loc_staff.c.name, loc_staff.c.staff_id))).all())
