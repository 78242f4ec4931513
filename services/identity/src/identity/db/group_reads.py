"""Group reads for the people who work there: the groups of a staff member or organisation, a group's children."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.directory import children, consents, groups, locations, placements, staff, staff_groups


@dataclass(frozen=True, slots=True)
class GroupRow:
    group_id: UUID
    organisation_id: UUID
    name: str
    care_type: str | None
    location_id: UUID
    location_name: str


@dataclass(frozen=True, slots=True)
class GroupChildRow:
    child_id: UUID
    first_name: str
    last_name: str
    photo_sharing: bool


_GROUPS = (
    select(groups.c.group_id, groups.c.organisation_id, groups.c.name, groups.c.care_type, locations.c.location_id,
           locations.c.name.label("location_name"))
    .join(locations, locations.c.location_id == groups.c.location_id)
    .order_by(locations.c.name, groups.c.name, groups.c.group_id)
)


async def groups_of_organisation(session: AsyncSession, organisation_id: UUID) -> list[GroupRow]:
    """Every group of the organisation, by location and name."""
    rows = await session.execute(_GROUPS.where(groups.c.organisation_id == organisation_id))
    return [GroupRow(**row._mapping) for row in rows]


async def groups_of_working_staff(session: AsyncSession, staff_id: UUID, organisation_id: UUID) -> list[GroupRow]:
    """The groups this staff member works on, while active and in this organisation, by location and name."""
    query = (_GROUPS.join(staff_groups, staff_groups.c.group_id == groups.c.group_id)
             .join(staff, and_(staff.c.staff_id == staff_groups.c.staff_id, staff.c.active))
             .where(staff.c.staff_id == staff_id, staff.c.organisation_id == organisation_id,
                    groups.c.organisation_id == organisation_id))
    return [GroupRow(**row._mapping) for row in await session.execute(query)]


async def group_in_organisation(session: AsyncSession, group_id: UUID, organisation_id: UUID) -> GroupRow | None:
    """The group, if it is this organisation's (another tenant's reads like a missing one)."""
    row = (await session.execute(_GROUPS.where(groups.c.group_id == group_id,
                                               groups.c.organisation_id == organisation_id))).first()
    return GroupRow(**row._mapping) if row else None


async def children_placed_in(session: AsyncSession, group_id: UUID, today: date) -> list[GroupChildRow]:
    """The children with a placement on the group running today, each once, by first and last name, with the
    parents' photo-sharing answer (no answer yet: not shared)."""
    running = and_(placements.c.group_id == group_id, placements.c.starts_on <= today,
                   or_(placements.c.ends_on.is_(None), placements.c.ends_on >= today))
    query = (
        select(children.c.child_id, children.c.first_name, children.c.last_name,
               consents.c.granted.is_(True).label("photo_sharing"))
        .outerjoin(consents, and_(consents.c.child_id == children.c.child_id,
                                  consents.c.kind_key == "photo_sharing"))
        .where(children.c.child_id.in_(select(placements.c.child_id).where(running)))
        .order_by(children.c.first_name, children.c.last_name, children.c.child_id)
    )
    return [GroupChildRow(row.child_id, row.first_name, row.last_name, bool(row.photo_sharing))
            for row in await session.execute(query)]
