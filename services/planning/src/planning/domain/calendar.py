"""Pure calendar rules: weekly patterns, schedule changes, opening days, capacity, holidays and prices."""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

CareType = Literal["day_care", "after_school", "toddler"]
SourceKind = Literal["extra_day", "swap_give_up", "swap_target", "absence"]
DEFAULT_OPEN_WEEKDAYS: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday to Friday
DEFAULT_CANCEL_WINDOW_HOURS = 24
DEFAULT_TIME_ZONE = "Europe/Amsterdam"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class DayPart:
    day_part_id: UUID
    organisation_id: UUID
    care_type: str
    name: str
    starts_at: time
    ends_at: time
    price_per_hour: Decimal | None = None
    price_per_part: Decimal | None = None

    @property
    def minutes(self) -> int:
        return minutes_between(self.starts_at, self.ends_at)


@dataclass(frozen=True)
class Placement:
    placement_id: UUID
    child_id: UUID
    family_id: UUID
    group_id: UUID
    location_id: UUID | None
    care_type: str
    starts_on: date
    ends_on: date | None
    # weekday (0 = Monday) → planned day parts
    pattern: Mapping[int, tuple[UUID, ...]] = field(default_factory=dict)

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


@dataclass(frozen=True)
class CareChange:
    child_id: UUID
    group_id: UUID
    day: date
    day_part_id: UUID
    delta: int
    source_kind: str


@dataclass(frozen=True)
class PlannedPart:
    day_part_id: UUID
    name: str
    starts_at: time
    ends_at: time
    group_id: UUID
    minutes: int
    absent: bool = False


@dataclass(frozen=True)
class PlacementRef:
    placement_id: UUID
    group_id: UUID
    care_type: str
    location_id: UUID | None


@dataclass(frozen=True)
class DayPartOption:
    day_part_id: UUID
    name: str
    starts_at: time
    ends_at: time
    minutes: int
    possible: bool
    reason: str | None
    price: Decimal | None


@dataclass(frozen=True)
class Availability:
    child_id: UUID
    day: date
    open: bool
    placement: PlacementRef | None
    planned: tuple[PlannedPart, ...]
    options: tuple[DayPartOption, ...]


@dataclass(frozen=True)
class OrgCalendar:
    organisation_id: UUID
    time_zone: str = DEFAULT_TIME_ZONE
    open_weekdays: frozenset[int] = frozenset(DEFAULT_OPEN_WEEKDAYS)
    closing_days: Mapping[date, str] = field(default_factory=dict)
    cancel_window_hours: int = DEFAULT_CANCEL_WINDOW_HOURS
    staff_may_evaluate: bool = True

    def closing_reason(self, day: date) -> str | None:
        """Why the organisation is closed that day ("closed" on a weekday it never opens), or None."""
        if day.weekday() not in self.open_weekdays:
            return "closed"
        reason = self.closing_days.get(day)
        return None if reason is None else f"closing_day: {reason}"

    def is_open(self, day: date) -> bool:
        return self.closing_reason(day) is None

    def today(self, now: datetime) -> date:
        return local_date(now, self.time_zone)


# -- time and money -------------------------------------------------------------------------------

def minutes_between(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


def clock_text(at: time) -> str:
    """A clock time as the API writes it: "HH:MM" (day parts have no seconds)."""
    return at.isoformat(timespec="minutes")


def local_date(now: datetime, time_zone: str) -> date:
    """The calendar date at `now` in the organisation's zone (a UTC evening may already be tomorrow there)."""
    return now.astimezone(ZoneInfo(time_zone)).date()


def price_of(day_part: DayPart, minutes: int | None = None) -> Decimal | None:
    """A fixed price per part, or the hourly price times the booked minutes, rounded to cents (half up)."""
    if day_part.price_per_part is not None:
        return day_part.price_per_part.quantize(CENT, ROUND_HALF_UP)
    if day_part.price_per_hour is None:
        return None
    booked = day_part.minutes if minutes is None else minutes
    return (day_part.price_per_hour * Decimal(booked) / Decimal(60)).quantize(CENT, ROUND_HALF_UP)


def dates(start: date, end: date) -> Iterator[date]:
    """Every date from `start` to `end`, both included."""
    # By ordinal: `day + timedelta(days=1)` costs ~1 us a date (the timedelta is built and normalised each time),
    # fromordinal a fifth of that; a 4-week agenda of two children walked 56 dates that way (py-spy: ~6% of
    # planning's samples).
    return map(date.fromordinal, range(start.toordinal(), end.toordinal() + 1))


# -- schedule -------------------------------------------------------------------------------------

def pattern_from_json(slots: Iterable[Mapping[str, Any]]) -> dict[int, tuple[UUID, ...]]:
    """The stored weekly pattern (list of {weekday, day_part_ids}) as weekday → ids; repeats merge."""
    pattern: dict[int, list[UUID]] = {}
    for slot in slots:
        ids = pattern.setdefault(int(slot["weekday"]), [])
        for raw in slot.get("day_part_ids", ()):
            part_id = raw if isinstance(raw, UUID) else UUID(str(raw))  # ids parsed by the caller stay as they are
            if part_id not in ids:
                ids.append(part_id)
    return {weekday: tuple(ids) for weekday, ids in pattern.items()}


def placement_on(placements: Iterable[Placement], day: date) -> Placement | None:
    """The placement valid that day; with overlaps the one that started last wins (it is the newer contract)."""
    valid = [p for p in placements if p.covers(day)]
    if len(valid) < 2:  # the usual case (one contract at a time): no ordering key to build
        return valid[0] if valid else None
    return max(valid, key=lambda p: (p.starts_on, str(p.placement_id)))


def pattern_parts(placement: Placement | None, day: date) -> tuple[UUID, ...]:
    if placement is None or not placement.covers(day):
        return ()
    return placement.pattern.get(day.weekday(), ())


def apply_changes(base: Sequence[UUID], changes: Iterable[CareChange]) -> dict[UUID, bool]:
    """Planned day parts after changes → absent flag.

    Each pattern part counts 1; +1 changes add, swap give-ups subtract; a part is planned while its count is
    positive (so a duplicate +1 never doubles it). Absences do not remove the part: it stays listed, marked
    absent, so the agenda shows it and capacity counts the place as free.
    """
    counts: dict[UUID, int] = {part: 1 for part in base}
    order: list[UUID] = list(dict.fromkeys(base))
    absent: set[UUID] = set()
    for change in changes:
        if change.source_kind == "absence":
            absent.add(change.day_part_id)
            continue
        if change.day_part_id not in counts:
            order.append(change.day_part_id)
        counts[change.day_part_id] = counts.get(change.day_part_id, 0) + change.delta
    return {part: part in absent for part in order if counts.get(part, 0) > 0}


def schedule_state(
    placement: Placement | None, day: date, changes: Iterable[CareChange],
) -> dict[UUID, tuple[UUID, bool]]:
    """day part → (group, absent) of a child's care that date: the pattern with that day's changes applied.

    A part added by a change belongs to the change's group (a swap may target another group); pattern parts
    belong to the placement's group.
    """
    relevant = [c for c in changes if c.day == day]
    state = apply_changes(pattern_parts(placement, day), relevant)
    group_of = {c.day_part_id: c.group_id for c in relevant if c.delta > 0}
    result: dict[UUID, tuple[UUID, bool]] = {}
    for part_id, is_absent in state.items():
        group_id = group_of.get(part_id) or (placement.group_id if placement is not None else None)
        if group_id is not None:
            result[part_id] = (group_id, is_absent)
    return result


def planned_parts(
    placement: Placement | None, day: date, changes: Iterable[CareChange], parts: Mapping[UUID, DayPart],
    *, organisation_id: UUID | None = None,
) -> list[PlannedPart]:
    """A child's planned day parts that date, sorted by start time.

    Day parts unknown to planning (or of another organisation) are left out: they cannot be shown with times.
    """
    result = []
    for part_id, (group_id, is_absent) in schedule_state(placement, day, changes).items():
        part = parts.get(part_id)
        if part is None or (organisation_id is not None and part.organisation_id != organisation_id):
            continue
        result.append(PlannedPart(part.day_part_id, part.name, part.starts_at, part.ends_at, group_id,
                                  part.minutes, is_absent))
    return sorted(result, key=lambda p: (p.starts_at, p.name, str(p.day_part_id)))


def occupied_parts(
    placement: Placement | None, day: date, changes: Iterable[CareChange], group_id: UUID,
) -> set[UUID]:
    """The day parts in which one child takes a place in the group that date: planned there, not absent.

    `service_layer.calendar.group_occupancy` counts a group's places with this, child by child.
    """
    return {part_id for part_id, (part_group, absent) in schedule_state(placement, day, changes).items()
            if part_group == group_id and not absent}


def has_room(occupied: int, capacity: int | None) -> bool:
    return capacity is None or occupied < capacity


def option_reason(
    *, calendar: OrgCalendar, day: date, today: date, placement: Placement | None, room: bool,
) -> str | None:
    """Why an unplanned day part cannot be requested, or None when it can (first reason wins)."""
    if day < today:
        return "in_the_past"
    if placement is None:
        return "no_placement"
    closed = calendar.closing_reason(day)
    if closed is not None:
        return closed
    if not room:
        return "group_full"
    return None


def in_school_holidays(periods: Iterable[tuple[date, date]], start: date, end: date) -> bool:
    """Every date of [start, end] lies inside some holiday period (periods may touch or overlap)."""
    if end < start:
        return False
    cursor = start  # first date not yet known to be covered
    for first, last in sorted(periods):
        if last < cursor:
            continue
        if first > cursor:
            return False  # sorted by start: no later period can fill the gap before `first`
        cursor = last + timedelta(days=1)
        if cursor > end:
            return True
    return False
