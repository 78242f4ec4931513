"""Calendar settings upserts inside one unit of work: tenancy, references and versions (same data, no change)."""

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.domain_errors import Invalid, NotFound

from planning.db import calendar_settings as db
from planning.db.calendar_settings import Upserted

Record = Any  # a read-only row of planning.db (attribute access), shaped by the route


async def known_organisation(session: Session, organisation_id: UUID) -> Record | None:
    """Planning's read model of the organisation, if the directory event has arrived."""
    return await db.known_organisation(session, organisation_id)


async def require_organisation(session: Session, organisation_id: UUID) -> Record:
    row = await db.known_organisation(session, organisation_id)
    if row is None:
        raise NotFound("not_found", "Planning does not know this organisation (yet).",
                       {"organisation_id": str(organisation_id)})
    return row


async def require_group(session: Session, group_id: UUID) -> Record:
    row = await db.group(session, group_id)
    if row is None:
        raise NotFound("not_found", "Planning does not know this group (yet).", {"group_id": str(group_id)})
    return row


async def require_day_part_of(session: Session, day_part_id: UUID, organisation_id: UUID,
                              care_type: str | None = None) -> Record:
    """A day part used in a capacity must be the same organisation's (and fit the group's care type)."""
    row = await db.day_part(session, day_part_id)
    if row is None or row.organisation_id != organisation_id:
        raise Invalid("unknown_reference", "day_part_id does not name a day part of this organisation.",
                       {"field": "day_part_id", "value": str(day_part_id)})
    if care_type is not None and row.care_type != care_type:
        raise Invalid("care_type_mismatch", "The day part is of another care type than the group.",
                       {"day_part_care_type": row.care_type, "group_care_type": care_type})
    return row


def _written(done: Upserted | None) -> Upserted:
    if done is None:  # the key is another organisation's: answered like one that does not exist
        raise NotFound("not_found", "No such record.")
    return done


async def save_day_part(session: Session, day_part_id: UUID, organisation_id: UUID,
                        values: Mapping[str, Any]) -> Upserted:
    return _written(await db.save_day_part(session, day_part_id, organisation_id, values))


async def day_part_in(session: Session, day_part_id: UUID, in_scope: Any) -> Record | None:
    """The day part if it lies inside the caller's scope (`in_scope`: a `konnect_kit.tenancy` scope)."""
    return await db.day_part_in(session, day_part_id, in_scope)


async def day_parts_of(session: Session, organisation_id: UUID, care_type: str | None) -> list[Record]:
    return await db.day_parts_of(session, organisation_id, care_type)


async def save_settings(session: Session, organisation_id: UUID, values: Mapping[str, Any]) -> Upserted:
    return _written(await db.save_settings(session, organisation_id, values))


async def settings_of(session: Session, organisation_id: UUID) -> Record | None:
    return await db.settings_of(session, organisation_id)


async def save_closing_day(session: Session, organisation_id: UUID, day: date,
                           values: Mapping[str, Any]) -> Upserted:
    return _written(await db.save_closing_day(session, organisation_id, day, values))


async def remove_closing_day(session: Session, organisation_id: UUID, day: date) -> None:
    await db.remove_closing_day(session, organisation_id, day)


async def closing_days_of(session: Session, organisation_id: UUID, start: date | None,
                          end: date | None) -> list[Record]:
    return await db.closing_days_of(session, organisation_id, start, end)


async def save_holiday(session: Session, holiday_id: UUID, organisation_id: UUID,
                       values: Mapping[str, Any]) -> Upserted:
    return _written(await db.save_holiday(session, holiday_id, organisation_id, values))


async def holidays_of(session: Session, organisation_id: UUID, start: date | None,
                      end: date | None) -> list[Record]:
    return await db.holidays_of(session, organisation_id, start, end)


async def save_capacity(session: Session, group_id: UUID, day_part_id: UUID, organisation_id: UUID,
                        values: Mapping[str, Any]) -> Upserted:
    return _written(await db.save_capacity(session, group_id, day_part_id, organisation_id, values))


async def capacity_of(session: Session, group_id: UUID) -> list[Record]:
    return await db.capacity_of(session, group_id)
