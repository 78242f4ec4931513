"""Calendar settings statements: day parts, organisation settings, closing days, holidays, group capacity."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Row, Table, and_, delete, func, select, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from planning.db.calendar import (
    closing_days,
    day_parts,
    directory_groups,
    group_capacity,
    organisation_settings,
    school_holidays,
)
from planning.db.models import directory_organisations


@dataclass(frozen=True)
class Upserted:
    version: int
    changed: bool


async def known_organisation(session: AsyncSession, organisation_id: UUID) -> Row | None:
    """Planning's read model of the organisation, if the directory event has arrived."""
    return (await session.execute(select(directory_organisations).where(
        directory_organisations.c.organisation_id == organisation_id))).first()


async def upsert(session: AsyncSession, table: Table, key: Mapping[str, Any], values: Mapping[str, Any],
                 *, organisation_id: UUID | None = None) -> Upserted | None:
    """Insert or update one row; the same data again keeps the version and writes nothing.

    With `organisation_id`, only that organisation's row is read or changed: None for a key another
    organisation uses (the caller answers it like a key that does not exist).
    """
    where = and_(*(table.c[column] == value for column, value in key.items()))
    mine = true() if organisation_id is None else table.c.organisation_id == organisation_id
    row = (await session.execute(select(table).where(where, mine).with_for_update())).first()
    if row is not None and all(row._mapping[c] == v for c, v in values.items()):
        return Upserted(row.version, changed=False)
    version = 1 if row is None else row.version + 1
    changes = {**values, "version": version, "updated_at": func.now()}
    if organisation_id is not None:
        changes["organisation_id"] = organisation_id
    written = (await session.execute(insert(table).values({**key, **changes}).on_conflict_do_update(
        index_elements=list(key), set_=changes, where=mine).returning(table.c.version))).first()
    if written is None:
        return None  # the key is another organisation's: nothing written
    return Upserted(version, changed=True)


async def save_day_part(session: AsyncSession, day_part_id: UUID, organisation_id: UUID,
                        values: Mapping[str, Any]) -> Upserted | None:
    return await upsert(session, day_parts, {"day_part_id": day_part_id}, values, organisation_id=organisation_id)


async def day_part_in(session: AsyncSession, day_part_id: UUID, in_scope: Any) -> Row | None:
    """The day part if it lies inside the caller's scope (`in_scope`: a `konnect_kit.tenancy` scope)."""
    return (await session.execute(select(day_parts).where(
        day_parts.c.day_part_id == day_part_id, in_scope.clause(day_parts.c.organisation_id)))).first()


async def day_parts_of(session: AsyncSession, organisation_id: UUID, care_type: str | None) -> list[Row]:
    query = select(day_parts).where(day_parts.c.organisation_id == organisation_id)
    if care_type is not None:
        query = query.where(day_parts.c.care_type == care_type)
    return list(await session.execute(query.order_by(day_parts.c.care_type, day_parts.c.starts_at,
                                                     day_parts.c.name, day_parts.c.day_part_id)))


async def save_settings(session: AsyncSession, organisation_id: UUID, values: Mapping[str, Any]) -> Upserted | None:
    return await upsert(session, organisation_settings, {"organisation_id": organisation_id}, values)


async def settings_of(session: AsyncSession, organisation_id: UUID) -> Row | None:
    return (await session.execute(select(organisation_settings).where(
        organisation_settings.c.organisation_id == organisation_id))).first()


async def save_closing_day(session: AsyncSession, organisation_id: UUID, day: date,
                           values: Mapping[str, Any]) -> Upserted | None:
    return await upsert(session, closing_days, {"organisation_id": organisation_id, "date": day}, values)


async def remove_closing_day(session: AsyncSession, organisation_id: UUID, day: date) -> None:
    # Idempotent: deleting a day that is not (or no longer) closed is the same outcome.
    await session.execute(delete(closing_days).where(closing_days.c.organisation_id == organisation_id,
                                                     closing_days.c.date == day))


def _within(query: Any, first: ColumnElement, last: ColumnElement, start: date | None, end: date | None) -> Any:
    if start is not None:
        query = query.where(last >= start)
    if end is not None:
        query = query.where(first <= end)
    return query


async def closing_days_of(session: AsyncSession, organisation_id: UUID, start: date | None,
                          end: date | None) -> list[Row]:
    query = select(closing_days).where(closing_days.c.organisation_id == organisation_id)
    query = _within(query, closing_days.c.date, closing_days.c.date, start, end)
    return list(await session.execute(query.order_by(closing_days.c.date)))


async def save_holiday(session: AsyncSession, holiday_id: UUID, organisation_id: UUID,
                       values: Mapping[str, Any]) -> Upserted | None:
    return await upsert(session, school_holidays, {"holiday_id": holiday_id}, values,
                        organisation_id=organisation_id)


async def holidays_of(session: AsyncSession, organisation_id: UUID, start: date | None,
                      end: date | None) -> list[Row]:
    query = select(school_holidays).where(school_holidays.c.organisation_id == organisation_id)
    query = _within(query, school_holidays.c.starts_on, school_holidays.c.ends_on, start, end)
    return list(await session.execute(query.order_by(school_holidays.c.starts_on, school_holidays.c.holiday_id)))


async def save_capacity(session: AsyncSession, group_id: UUID, day_part_id: UUID, organisation_id: UUID,
                        values: Mapping[str, Any]) -> Upserted | None:
    return await upsert(session, group_capacity, {"group_id": group_id, "day_part_id": day_part_id}, values,
                        organisation_id=organisation_id)


async def capacity_of(session: AsyncSession, group_id: UUID) -> list[Row]:
    return list(await session.execute(select(group_capacity).where(group_capacity.c.group_id == group_id)
                                      .order_by(group_capacity.c.day_part_id)))


async def group(session: AsyncSession, group_id: UUID) -> Row | None:
    """The group from the directory read model, unless deleted."""
    return (await session.execute(select(directory_groups).where(
        directory_groups.c.group_id == group_id, ~directory_groups.c.deleted))).first()


async def day_part(session: AsyncSession, day_part_id: UUID) -> Row | None:
    return (await session.execute(select(day_parts).where(day_parts.c.day_part_id == day_part_id))).first()
