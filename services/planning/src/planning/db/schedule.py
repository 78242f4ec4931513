"""Schedule queries of the service layer's calendar module: directory records, placements, day parts, school
holidays, care changes, group capacities and names (each returns the domain's dataclasses or plain values)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from konnect_kit.db import Handle, Query, driver, first
from sqlalchemy import Row, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from planning.db.agenda import FamilyRecord, Kid
from planning.db.calendar import (
    care_changes,
    directory_children,
    directory_families,
    directory_groups,
    directory_locations,
    directory_parents,
    directory_placements,
    group_capacity,
)
from planning.db.calendar import (
    day_parts as day_parts_table,
)
from planning.domain import calendar as rules
from planning.domain.calendar import CareChange, DayPart, Placement

ChildRecord = Kid  # a child as the directory knows it (the agenda's statement returns the same five fields)


@dataclass(frozen=True)
class GroupRow:
    group_id: UUID
    name: str
    location_id: UUID | None
    location_name: str | None


def child_record(row: Any) -> ChildRecord:
    return ChildRecord(row.child_id, row.organisation_id, row.family_id, row.first_name, row.last_name)


async def child(session: AsyncSession, child_id: UUID) -> ChildRecord | None:
    # Driver-level (konnect_kit.db.driver): each line of a request's POST reads its child (round 18).
    row = await (await driver(session)).fetchrow(_CHILD, child_id)
    return None if row is None else ChildRecord(*row)


_CHILD = ("SELECT child_id, organisation_id, family_id, first_name, last_name FROM directory_children "
          "WHERE child_id = $1::uuid AND NOT deleted")


_FAMILY = Query(select(directory_families.c.family_id, directory_families.c.organisation_id, directory_families.c.name)
               .where(directory_families.c.family_id == bindparam("family_id"), ~directory_families.c.deleted))


async def family(db: Handle, family_id: UUID) -> FamilyRecord | None:
    row = await first(db, _FAMILY, family_id=family_id)
    return None if row is None else FamilyRecord(row.family_id, row.organisation_id, row.name)


async def family_id_of_account(session: AsyncSession, account: UUID) -> UUID | None:
    return await session.scalar(select(directory_parents.c.family_id).where(
        directory_parents.c.account_id == account, ~directory_parents.c.deleted))


async def children_of_family(session: AsyncSession, family_id: UUID) -> list[ChildRecord]:
    rows = await session.execute(select(directory_children).where(
        directory_children.c.family_id == family_id, ~directory_children.c.deleted,
    ).order_by(directory_children.c.first_name, directory_children.c.child_id))
    return [child_record(r) for r in rows]


def _placement(row: Row) -> Placement:
    return Placement(row.placement_id, row.child_id, row.family_id, row.group_id, row.location_id, row.care_type,
                     row.starts_on, row.ends_on, rules.pattern_from_json(row.weekly_pattern or []))


async def placements(session: AsyncSession, child_ids: Iterable[UUID]) -> dict[UUID, list[Placement]]:
    """Every child's placements (an empty list for a child without one)."""
    ids = list(set(child_ids))
    result: dict[UUID, list[Placement]] = {i: [] for i in ids}
    if not ids:
        return result
    rows = await session.execute(select(directory_placements).where(
        directory_placements.c.child_id.in_(ids), ~directory_placements.c.deleted))
    for row in rows:
        result[row.child_id].append(_placement(row))
    return result


def _day_part(row: Row) -> DayPart:
    return DayPart(row.day_part_id, row.organisation_id, row.care_type, row.name, row.starts_at, row.ends_at,
                   row.price_per_hour, row.price_per_part)


async def day_parts(session: AsyncSession, ids: Iterable[UUID]) -> dict[UUID, DayPart]:
    wanted = list(set(ids))
    if not wanted:
        return {}
    rows = await session.execute(select(day_parts_table).where(day_parts_table.c.day_part_id.in_(wanted)))
    return {r.day_part_id: _day_part(r) for r in rows}


async def day_parts_of(session: AsyncSession, organisation_id: UUID, care_type: str | None = None) -> list[DayPart]:
    query = select(day_parts_table).where(day_parts_table.c.organisation_id == organisation_id)
    if care_type is not None:
        query = query.where(day_parts_table.c.care_type == care_type)
    rows = await session.execute(query.order_by(day_parts_table.c.starts_at, day_parts_table.c.name,
                                                day_parts_table.c.day_part_id))
    return [_day_part(r) for r in rows]


async def school_holiday_ranges(session: AsyncSession, organisation_id: UUID, start: date, end: date
                                ) -> list[tuple[date, date]]:
    """(first, last) of every school holiday of the organisation overlapping [start, end]."""
    rows = await (await driver(session)).fetch(_HOLIDAYS, organisation_id, start, end)
    return [(r[0], r[1]) for r in rows]


_HOLIDAYS = ("SELECT starts_on, ends_on FROM school_holidays WHERE organisation_id = $1::uuid "
             "AND starts_on <= $3::date AND ends_on >= $2::date")


async def changes_on(session: AsyncSession, child_ids: Iterable[UUID], day: date) -> list[CareChange]:
    """The active care changes of these children that date, in the order they were made."""
    ids = list(set(child_ids))
    if not ids:
        return []
    rows = await session.execute(select(care_changes).where(
        care_changes.c.active, care_changes.c.child_id.in_(ids), care_changes.c.date == day)
        .order_by(care_changes.c.created_at, care_changes.c.change_id))
    return [CareChange(r.child_id, r.group_id, r.date, r.day_part_id, r.delta, r.source_kind) for r in rows]


async def children_in_group_on(session: AsyncSession, group_id: UUID, day: date) -> set[UUID]:
    """Children (not deleted) placed in the group that date or moved into it by a change: who may take a place."""
    in_group = await session.scalars(select(directory_placements.c.child_id).where(
        directory_placements.c.group_id == group_id, ~directory_placements.c.deleted,
        directory_placements.c.starts_on <= day,
        (directory_placements.c.ends_on.is_(None)) | (directory_placements.c.ends_on >= day)))
    moved_in = await session.scalars(select(care_changes.c.child_id).where(
        care_changes.c.group_id == group_id, care_changes.c.date == day, care_changes.c.active))
    candidates = set(in_group) | set(moved_in)
    if not candidates:
        return set()
    return set(await session.scalars(select(directory_children.c.child_id).where(
        directory_children.c.child_id.in_(candidates), ~directory_children.c.deleted)))


async def capacities(session: AsyncSession, group_id: UUID) -> dict[UUID, int]:
    rows = await session.execute(select(group_capacity.c.day_part_id, group_capacity.c.capacity).where(
        group_capacity.c.group_id == group_id))
    return {r.day_part_id: r.capacity for r in rows}


async def group_names(session: AsyncSession, group_ids: Iterable[UUID]) -> dict[UUID, GroupRow]:
    wanted = list(set(group_ids))
    if not wanted:
        return {}
    rows = await session.execute(
        select(directory_groups.c.group_id, directory_groups.c.name, directory_groups.c.location_id,
               directory_locations.c.name.label("location_name"))
        .select_from(directory_groups.outerjoin(directory_locations, and_(
            directory_locations.c.location_id == directory_groups.c.location_id, ~directory_locations.c.deleted)))
        .where(directory_groups.c.group_id.in_(wanted)))
    return {r.group_id: GroupRow(r.group_id, r.name, r.location_id, r.location_name) for r in rows}
