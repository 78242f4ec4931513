"""Schedule use cases: planned care, availability, occupancy, the organisation calendar (SQL: db.schedule, db.agenda).

The requests module imports these names; every function takes the caller's Session and returns frozen
dataclasses from `planning.domain.calendar` (or plain dicts for the agenda, which others may enrich). Those the
read-only screens use (agenda, day detail, availability, access checks) also run on a Reader (`Db`).
"""

from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from konnect_kit.clock import Clock
from konnect_kit.db import Reader, Session

from planning.db import agenda as agenda_queries
from planning.db import schedule as queries
from planning.db.agenda import AgendaContext, AvailabilityContext
from planning.db.schedule import ChildRecord, FamilyRecord
from planning.domain import calendar as rules
from planning.domain.calendar import (
    Availability,
    CareChange,
    DayPart,
    DayPartOption,
    OrgCalendar,
    Placement,
    PlacementRef,
    PlannedPart,
    clock_text,
    price_of,
)
from planning.service_layer.agenda_requests import add_pending_requests

# A writing use case's unit of work, or a read-only route's Reader (no ORM session, no BEGIN/COMMIT).
Db = Session | Reader

__all__ = [
    "AgendaEnricher", "ChildRecord", "Db", "FamilyRecord", "account_uuid", "agenda", "agenda_context",
    "agenda_days", "agenda_days_of", "agenda_enriched", "availability", "availability_and_today",
    "availability_context",
    "availability_from", "child", "children_of_family", "day_parts", "day_parts_of", "enrich_agenda",
    "family", "family_and_today", "family_of_account", "family_of_parent", "group_occupancy", "has_room",
    "in_school_holidays",
    "name_groups", "occupancy", "organisation_calendar", "placement_on", "planned_parts", "price_of",
    "register_agenda_enricher",
]


# -- directory ------------------------------------------------------------------------------------

async def child(session: Session, child_id: UUID) -> ChildRecord | None:
    return await queries.child(session, child_id)


async def family(db: Db, family_id: UUID) -> FamilyRecord | None:
    return await queries.family(db, family_id)


async def family_of_account(session: Session, account_id: UUID | str) -> UUID | None:
    account = account_uuid(account_id)
    return None if account is None else await queries.family_id_of_account(session, account)


def account_uuid(account_id: UUID | str | None) -> UUID | None:
    """A forwarded actor id as the parent account it names (None: none given, or no UUID: no parent)."""
    try:
        return None if account_id is None else UUID(str(account_id))
    except ValueError:
        return None  # a forwarded actor id that is no UUID names no parent


async def family_of_parent(db: Db, account_id: UUID | str) -> FamilyRecord | None:
    """The family of a parent's account (one statement: `family_of_account` and `family` together)."""
    account = account_uuid(account_id)
    row = None if account is None else await agenda_queries.family_of_parent(db, account)
    return None if row is None else FamilyRecord(row.family_id, row.organisation_id, row.name)


async def children_of_family(session: Session, family_id: UUID) -> list[ChildRecord]:
    return await queries.children_of_family(session, family_id)


async def _placements(session: Session, child_ids: Iterable[UUID]) -> dict[UUID, list[Placement]]:
    return await queries.placements(session, child_ids)


async def placement_on(session: Session, child_id: UUID, day: date) -> Placement | None:
    """The child's placement valid that date (None without one)."""
    return rules.placement_on((await _placements(session, [child_id]))[child_id], day)


# -- calendar -------------------------------------------------------------------------------------

async def day_parts(session: Session, ids: Iterable[UUID]) -> dict[UUID, DayPart]:
    return await queries.day_parts(session, ids)


async def day_parts_of(session: Session, organisation_id: UUID, care_type: str | None = None) -> list[DayPart]:
    return await queries.day_parts_of(session, organisation_id, care_type)


async def organisation_calendar(db: Db, organisation_id: UUID) -> OrgCalendar:
    """Time zone, opening weekdays, closing days and policies; defaults where nothing was set (yet)."""
    return await agenda_queries.organisation_calendar(db, organisation_id)


async def family_and_today(db: Db, now: datetime, *, family_id: UUID | None = None,
                           account_id: str | None = None) -> tuple[FamilyRecord, date] | None:
    """Family `family_id`, or else the parent's, and the organisation's date at `now` in its time zone, from the
    calendar held by version (one statement while the held calendar is current, where `family` and
    `organisation_calendar` took two and built the calendar with every closing day each time). None: no such
    family."""
    account = None if family_id is not None else account_uuid(account_id)
    if family_id is None and account is None:
        return None
    record, version = await agenda_queries.family_and_reference_version(db, family=family_id, account=account)
    if record is None:
        return None
    reference = await agenda_queries.organisation_reference(db, record.organisation_id, version)
    return record, reference.calendar.today(now)


async def in_school_holidays(session: Session, organisation_id: UUID, start: date, end: date) -> bool:
    """Whether every date of [start, end] lies inside the organisation's school holidays."""
    return rules.in_school_holidays(await queries.school_holiday_ranges(session, organisation_id, start, end),
                                    start, end)


# -- schedule -------------------------------------------------------------------------------------

async def _planned(session: Session, record: ChildRecord, placements: Sequence[Placement], day: date,
                   changes: Sequence[CareChange]) -> list[PlannedPart]:
    placement = rules.placement_on(placements, day)
    wanted = set(rules.pattern_parts(placement, day)) | {c.day_part_id for c in changes}
    parts = await day_parts(session, wanted)
    return rules.planned_parts(placement, day, changes, parts, organisation_id=record.organisation_id)


async def planned_parts(session: Session, child_id: UUID, day: date) -> list[PlannedPart]:
    """The child's planned day parts that date after changes (absences listed with absent=True)."""
    record = await child(session, child_id)
    if record is None:
        return []
    placements = (await _placements(session, [child_id]))[child_id]
    changes = await queries.changes_on(session, [child_id], day)
    return await _planned(session, record, placements, day, changes)


async def group_occupancy(session: Session, group_id: UUID, day: date) -> dict[UUID, int]:
    """Day part → children taking a place in the group that date (after changes; absences free their place)."""
    live = await queries.children_in_group_on(session, group_id, day)
    if not live:
        return {}
    placements = await _placements(session, live)
    changes = await queries.changes_on(session, live, day)
    counts: dict[UUID, int] = {}
    for child_id in live:
        placement = rules.placement_on(placements[child_id], day)
        own = [c for c in changes if c.child_id == child_id]
        for part_id in rules.occupied_parts(placement, day, own, group_id):
            counts[part_id] = counts.get(part_id, 0) + 1
    return counts


async def occupancy(session: Session, group_id: UUID, day: date, day_part_id: UUID) -> int:
    return (await group_occupancy(session, group_id, day)).get(day_part_id, 0)


async def capacities(session: Session, group_id: UUID) -> dict[UUID, int]:
    return await queries.capacities(session, group_id)


async def has_room(session: Session, group_id: UUID, day: date, day_part_id: UUID) -> bool:
    """A place is free in (group, date, day part); a missing capacity row means unlimited."""
    capacity = (await capacities(session, group_id)).get(day_part_id)
    if capacity is None:
        return True
    return rules.has_room(await occupancy(session, group_id, day, day_part_id), capacity)


async def availability(db: Db, child_id: UUID, day: date, *, now: datetime | None = None) -> Availability:
    """Planned parts and, for every other day part of the child's care type, whether it can be requested.

    `now` comes from the app's clock (`app.state.clock.now()`); without it, real time.
    """
    return (await availability_and_today(db, child_id, day, now=now))[0]


async def availability_and_today(db: Db, child_id: UUID, day: date, *, now: datetime | None = None
                                 ) -> tuple[Availability, date]:
    """`availability` and the organisation's date today, from one statement (the screen shows both)."""
    found = await availability_context(db, child_id, day, None)
    if not found.kids:
        raise LookupError(f"unknown child {child_id}")
    return availability_from(found, child_id, day, now=now)


async def availability_context(db: Db, child_id: UUID, day: date, account_id: UUID | str | None
                               ) -> AvailabilityContext:
    """What `availability_from` needs, the child (`kids`: none when unknown) and the family of the parent
    `account_id` (`caller_family`, for the access check), in one statement."""
    account = account_uuid(account_id)
    return await agenda_queries.availability_context(db, child_id, day, account)


def availability_from(found: AvailabilityContext, child_id: UUID, day: date, *, now: datetime | None = None
                      ) -> tuple[Availability, date]:
    """`availability_and_today` of a known child (`found.kids`) from its `availability_context`."""
    record = found.kids[0]
    calendar = found.calendars[record.organisation_id]
    today = calendar.today(now or Clock().now())
    placement = rules.placement_on(found.placements[child_id], day)
    parts = {p.day_part_id: p for p in found.day_parts}
    planned = rules.planned_parts(placement, day, found.changes, parts, organisation_id=record.organisation_id)
    planned_ids = {p.day_part_id for p in planned}
    candidates = [p for p in found.day_parts if placement is None or p.care_type == placement.care_type]
    # Counted by the statement with group_occupancy's rule (db/agenda.py), so only the counts travel.
    occupied = found.occupancy.get(placement.group_id, {}) if placement else {}
    limits = found.capacities.get(placement.group_id, {}) if placement else {}
    options = []
    for part in candidates:
        if part.day_part_id in planned_ids:
            continue
        room = rules.has_room(occupied.get(part.day_part_id, 0), limits.get(part.day_part_id))
        reason = rules.option_reason(calendar=calendar, day=day, today=today, placement=placement, room=room)
        options.append(DayPartOption(part.day_part_id, part.name, part.starts_at, part.ends_at, part.minutes,
                                     reason is None, reason, price_of(part)))
    ref = None if placement is None else PlacementRef(placement.placement_id, placement.group_id,
                                                      placement.care_type, placement.location_id)
    return Availability(child_id, day, calendar.is_open(day), ref, tuple(planned), tuple(options)), today


# -- agenda ---------------------------------------------------------------------------------------

async def agenda_days(db: Db, family_id: UUID, start: date, end: date,
                      *, child_ids: Iterable[UUID] | None = None) -> list[dict[str, Any]]:
    """One plain dict per child per date with care in [start, end], sorted by date then child.

    Keys: date, child_id, first_name, last_name, group_id, group_name, location_id, location_name, open,
    closing_reason, parts (dicts of PlannedPart fields), requests (pending request lines touching that date;
    registered enrichers may add more). Dates with only a pending request are days of their own.
    """
    return (await agenda(db, family_id, start, end, child_ids=child_ids))[0]


async def agenda(db: Db, family_id: UUID, start: date, end: date,
                 *, child_ids: Iterable[UUID] | None = None) -> tuple[list[dict[str, Any]], AgendaContext]:
    """`agenda_days` and the statement's context (placements, calendars, group names) for screens built on it."""
    context = await agenda_queries.agenda_context(db, start, end, family=family_id)
    return await agenda_days_of(db, context, start, end, child_ids=child_ids), context


async def agenda_context(db: Db, start: date, end: date, *, family_id: UUID | None = None,
                         account_id: UUID | str | None = None, child_id: UUID | None = None) -> AgendaContext:
    """What `agenda_days_of` needs for the family of child `child_id`, or else family `family_id`, or else the
    family of parent `account_id`, in one statement; for the access check with that family's record (`family`:
    None when there is none; not looked up by child) and the family of parent `account_id` (`caller_family`)."""
    account = account_uuid(account_id)
    return await agenda_queries.agenda_context(db, start, end, family=family_id, account=account, child=child_id)


async def agenda_days_of(db: Db, context: AgendaContext, start: date, end: date,
                         *, child_ids: Iterable[UUID] | None = None) -> list[dict[str, Any]]:
    """`agenda_days` from the family's `agenda_context` (of the same [start, end])."""
    kids = context.kids
    if child_ids is not None:
        only = set(child_ids)
        kids = [k for k in kids if k.child_id in only]
    if not kids:
        return []
    parts = {p.day_part_id: p for p in context.day_parts}
    changes_of: dict[tuple[UUID, date], list[CareChange]] = {}  # (child, date) → that date's changes, in order
    for change in context.changes:
        changes_of.setdefault((change.child_id, change.day), []).append(change)
    days: list[dict[str, Any]] = []
    span = list(rules.dates(start, end))  # the same dates for every child
    for kid in kids:
        calendar = context.calendars[kid.organisation_id]
        own_placements = context.placements[kid.child_id]
        # Days without changes repeat their placement's weekday: computed once per (placement, weekday). The
        # pattern expansion was the agenda's largest Python cost (four weeks: 56 child-days per family).
        pattern_days: dict[tuple[UUID, int], list[dict[str, Any]]] = {}
        for day in span:
            own = changes_of.get((kid.child_id, day), ())
            placement = rules.placement_on(own_placements, day)
            if own:
                planned = [part_dict(p) for p in rules.planned_parts(placement, day, own, parts,
                                                                      organisation_id=kid.organisation_id)]
            elif placement is None or not placement.pattern.get(day.weekday()):
                continue  # nothing planned, nothing changed
            else:
                key = (placement.placement_id, day.weekday())
                if key not in pattern_days:
                    # Its parts' dicts are shared by every day that repeats the pattern: nothing changes a part.
                    pattern_days[key] = [part_dict(p) for p in rules.planned_parts(
                        placement, day, own, parts, organisation_id=kid.organisation_id)]
                planned = pattern_days[key]
            if not planned:
                continue
            group_id = placement.group_id if placement else planned[0]["group_id"]
            group = context.groups.get(group_id)
            closing_reason = calendar.closing_reason(day)
            days.append({
                "date": day, "child_id": kid.child_id, "first_name": kid.first_name, "last_name": kid.last_name,
                "group_id": group_id, "group_name": group.name if group else None,
                "location_id": (placement.location_id if placement else None) or (group.location_id if group else None),
                "location_name": group.location_name if group else None,
                "open": closing_reason is None, "closing_reason": closing_reason,
                "parts": list(planned), "requests": [],
            })
    calendars = dict(context.calendars)
    for organisation_id in {line.organisation_id for line in context.pending} - set(calendars):
        calendars[organisation_id] = await organisation_calendar(db, organisation_id)
    add_pending_requests(context.pending, {k.child_id: k for k in kids}, calendars, start, end, days)
    order = {k.child_id: (k.first_name, str(k.child_id)) for k in kids}  # a child's place within a date
    days.sort(key=lambda d: (d["date"], order[d["child_id"]]))
    return days


def part_dict(part: PlannedPart) -> dict[str, Any]:
    """A planned part as the answers write it (PlannedPartOut's fields in order): the agenda's, day detail's and
    availability's."""
    # Times as the API writes them ("HH:MM"): the response models take them as checked strings, so a 4-week
    # agenda's few hundred times cost no Python call to validate or to serialise (py-spy: the time serialiser
    # was a sixth of the agenda's response cost).
    return {"day_part_id": part.day_part_id, "name": part.name, "starts_at": clock_text(part.starts_at),
            "ends_at": clock_text(part.ends_at), "minutes": part.minutes, "group_id": part.group_id,
            "absent": part.absent}


async def name_groups(session: Session, days: list[dict[str, Any]]) -> None:
    known = await queries.group_names(session, {d["group_id"] for d in days})
    for day in days:
        row = known.get(day["group_id"])
        day["group_name"] = row.name if row else None
        day["location_id"] = day["location_id"] or (row.location_id if row else None)
        day["location_name"] = row.location_name if row else None


# Extension point for the requests module: add pending/accepted request info to agenda days (e.g. append to
# day["requests"], or add days for dates without planned care). Called after agenda_days on every agenda read.
AgendaEnricher = Callable[[Db, UUID, date, date, list[dict[str, Any]]], Awaitable[None]]
_enrichers: list[AgendaEnricher] = []


def agenda_enriched() -> bool:
    """Whether an enricher draws onto the agenda's days (then they are computed on every read, never stored)."""
    return bool(_enrichers)


def register_agenda_enricher(enricher: AgendaEnricher) -> None:
    if enricher not in _enrichers:
        _enrichers.append(enricher)


async def enrich_agenda(db: Db, family_id: UUID, start: date, end: date,
                        days: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not _enrichers:
        return days  # in order already (agenda_days_of)
    for enricher in _enrichers:
        await enricher(db, family_id, start, end, days)
    days.sort(key=lambda d: (d["date"], d.get("first_name") or "", str(d["child_id"])))
    return days
