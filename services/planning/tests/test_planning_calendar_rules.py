"""Pure calendar rules: weekly patterns with start/end, changes, occupancy, opening days, holidays, prices."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from konnect_kit.clock import SettableClock
from planning.domain import calendar as rules
from planning.domain.access import may_see_planning
from planning.domain.calendar import CareChange, DayPart, OrgCalendar, Placement

ORG = uuid.uuid4()
GROUP = uuid.uuid4()
MORNING = DayPart(uuid.uuid4(), ORG, "day_care", "Ochtend", time(7, 30), time(13, 0), Decimal("9.85"))
AFTERNOON = DayPart(uuid.uuid4(), ORG, "day_care", "Middag", time(13, 0), time(18, 30), None, Decimal("45.00"))
PARTS = {MORNING.day_part_id: MORNING, AFTERNOON.day_part_id: AFTERNOON}
MONDAY = date(2025, 3, 3)


def placement(starts_on: date = MONDAY, ends_on: date | None = None, pattern: dict | None = None,
              group_id: uuid.UUID = GROUP) -> Placement:
    child = uuid.uuid4()
    return Placement(uuid.uuid4(), child, uuid.uuid4(), group_id, None, "day_care", starts_on, ends_on,
                     pattern if pattern is not None else {0: (MORNING.day_part_id, AFTERNOON.day_part_id),
                                                          2: (MORNING.day_part_id,)})


def change(p: Placement, day: date, part: DayPart, delta: int, kind: str, group_id: uuid.UUID = GROUP) -> CareChange:
    return CareChange(p.child_id, group_id, day, part.day_part_id, delta, kind)


def test_pattern_expands_per_weekday_within_the_placement_period() -> None:
    p = placement(starts_on=MONDAY + timedelta(days=7), ends_on=MONDAY + timedelta(days=9))
    assert rules.planned_parts(p, MONDAY, [], PARTS) == []  # before the start
    monday = rules.planned_parts(p, MONDAY + timedelta(days=7), [], PARTS)
    assert [x.name for x in monday] == ["Ochtend", "Middag"] and monday[0].minutes == 330
    assert rules.planned_parts(p, MONDAY + timedelta(days=8), [], PARTS) == []  # Tuesday: not in the pattern
    assert [x.name for x in rules.planned_parts(p, MONDAY + timedelta(days=9), [], PARTS)] == ["Ochtend"]
    assert rules.planned_parts(p, MONDAY + timedelta(days=14), [], PARTS) == []  # after the end


def test_changes_add_remove_and_mark_absent() -> None:
    p = placement()
    tuesday = MONDAY + timedelta(days=1)
    extra = rules.planned_parts(p, tuesday, [change(p, tuesday, AFTERNOON, 1, "extra_day")], PARTS)
    assert [(x.name, x.absent) for x in extra] == [("Middag", False)]
    swapped = rules.planned_parts(p, MONDAY, [change(p, MONDAY, MORNING, -1, "swap_give_up")], PARTS)
    assert [x.name for x in swapped] == ["Middag"]
    absent = rules.planned_parts(p, MONDAY, [change(p, MONDAY, MORNING, -1, "absence")], PARTS)
    assert [(x.name, x.absent) for x in absent] == [("Ochtend", True), ("Middag", False)]
    # A change on another date does nothing here; an absence for an unplanned part adds nothing.
    assert len(rules.planned_parts(p, MONDAY, [change(p, tuesday, MORNING, -1, "swap_give_up")], PARTS)) == 2
    assert rules.planned_parts(p, tuesday, [change(p, tuesday, MORNING, -1, "absence")], PARTS) == []


def test_swap_target_in_another_group_belongs_to_that_group() -> None:
    p = placement()
    other = uuid.uuid4()
    tuesday = MONDAY + timedelta(days=1)
    planned = rules.planned_parts(p, tuesday, [change(p, tuesday, MORNING, 1, "swap_target", other)], PARTS)
    assert planned[0].group_id == other
    assert MORNING.day_part_id in rules.occupied_parts(
        p, tuesday, [change(p, tuesday, MORNING, 1, "swap_target", other)], other)
    assert MORNING.day_part_id not in rules.occupied_parts(p, tuesday, [], GROUP)


def test_unknown_or_foreign_day_parts_are_left_out() -> None:
    foreign = DayPart(uuid.uuid4(), uuid.uuid4(), "day_care", "Elders", time(8), time(12), Decimal("1"))
    p = placement(pattern={0: (foreign.day_part_id, uuid.uuid4(), MORNING.day_part_id)})
    planned = rules.planned_parts(p, MONDAY, [], {**PARTS, foreign.day_part_id: foreign}, organisation_id=ORG)
    assert [x.name for x in planned] == ["Ochtend"]


def test_overlapping_placements_the_newest_wins() -> None:
    old = placement(starts_on=MONDAY - timedelta(days=30))
    new = placement(starts_on=MONDAY, pattern={1: (MORNING.day_part_id,)})
    assert rules.placement_on([old, new], MONDAY) == new
    assert rules.placement_on([old, new], MONDAY - timedelta(days=1)) == old
    assert rules.placement_on([], MONDAY) is None


def test_opening_weekdays_and_closing_days() -> None:
    cal = OrgCalendar(ORG, closing_days={MONDAY: "Studiedag"})
    assert cal.closing_reason(MONDAY) == "closing_day: Studiedag"
    assert cal.closing_reason(MONDAY + timedelta(days=5)) == "closed"  # Saturday
    assert cal.is_open(MONDAY + timedelta(days=1))
    weekend = OrgCalendar(ORG, open_weekdays=frozenset({5, 6}))
    assert weekend.is_open(MONDAY + timedelta(days=6)) and not weekend.is_open(MONDAY)


def test_option_reasons_in_order() -> None:
    cal = OrgCalendar(ORG, closing_days={MONDAY: "Studiedag"})
    p = placement()
    reason = rules.option_reason
    assert reason(calendar=cal, day=MONDAY, today=MONDAY + timedelta(days=1), placement=p, room=False) == "in_the_past"
    assert reason(calendar=cal, day=MONDAY, today=MONDAY, placement=None, room=True) == "no_placement"
    assert reason(calendar=cal, day=MONDAY, today=MONDAY, placement=p, room=True) == "closing_day: Studiedag"
    assert reason(calendar=cal, day=MONDAY + timedelta(days=6), today=MONDAY, placement=p, room=True) == "closed"
    assert reason(calendar=cal, day=MONDAY + timedelta(days=1), today=MONDAY, placement=p, room=False) == "group_full"
    assert reason(calendar=cal, day=MONDAY + timedelta(days=1), today=MONDAY, placement=p, room=True) is None


def test_today_uses_the_organisation_time_zone() -> None:
    late_evening_utc = datetime(2025, 3, 2, 23, 30, tzinfo=UTC)  # already Monday in Amsterdam
    assert OrgCalendar(ORG).today(late_evening_utc) == MONDAY
    assert OrgCalendar(ORG, time_zone="America/New_York").today(late_evening_utc) == MONDAY - timedelta(days=1)


def test_prices_by_part_and_by_hour() -> None:
    assert rules.price_of(AFTERNOON) == Decimal("45.00")
    assert rules.price_of(AFTERNOON, 10) == Decimal("45.00")  # a part costs the same however long
    assert rules.price_of(MORNING) == Decimal("54.18")  # 5.5 h x 9.85 = 54.175 → half up
    assert rules.price_of(MORNING, 60) == Decimal("9.85")
    free = DayPart(uuid.uuid4(), ORG, "day_care", "x", time(8), time(9))
    assert rules.price_of(free) is None


def test_school_holiday_coverage_examples() -> None:
    summer = (date(2025, 7, 12), date(2025, 8, 24))
    assert rules.in_school_holidays([summer], date(2025, 7, 14), date(2025, 7, 18))
    assert not rules.in_school_holidays([summer], date(2025, 8, 22), date(2025, 8, 26))
    touching = [(date(2025, 1, 1), date(2025, 1, 5)), (date(2025, 1, 6), date(2025, 1, 9))]
    assert rules.in_school_holidays(touching, date(2025, 1, 3), date(2025, 1, 8))
    gap = [(date(2025, 1, 1), date(2025, 1, 4)), (date(2025, 1, 6), date(2025, 1, 9))]
    assert not rules.in_school_holidays(gap, date(2025, 1, 3), date(2025, 1, 8))
    assert not rules.in_school_holidays([], MONDAY, MONDAY)


def test_access_rules() -> None:
    org, family = uuid.uuid4(), uuid.uuid4()
    see = may_see_planning
    assert see("parent", str(org), organisation_id=org, family_id=family, caller_family_id=family)
    assert not see("parent", str(org), organisation_id=org, family_id=family, caller_family_id=uuid.uuid4())
    assert see("staff", str(org), organisation_id=org, family_id=family, caller_family_id=None)
    assert not see("staff", str(uuid.uuid4()), organisation_id=org, family_id=family, caller_family_id=None)


def test_settable_clock() -> None:
    clock = SettableClock()
    moment = datetime(2025, 3, 3, 9, tzinfo=UTC)
    clock.set(moment)
    assert clock.now() == moment
    clock.advance(timedelta(hours=2))
    assert clock.now() == moment + timedelta(hours=2)
    clock.reset()
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)


# -- properties -----------------------------------------------------------------------------------

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
part_ids = st.sampled_from([MORNING.day_part_id, AFTERNOON.day_part_id])
patterns = st.dictionaries(st.integers(0, 6), st.lists(part_ids, unique=True, max_size=2).map(tuple), max_size=7)
kinds = st.sampled_from(["extra_day", "swap_give_up", "swap_target", "absence"])


@given(start=days, length=st.integers(0, 60) | st.none(), pattern=patterns, day=days)
def test_property_pattern_only_inside_the_period(start, length, pattern, day) -> None:
    ends_on = None if length is None else start + timedelta(days=length)
    p = placement(starts_on=start, ends_on=ends_on, pattern=pattern)
    planned = {x.day_part_id for x in rules.planned_parts(p, day, [], PARTS)}
    inside = start <= day and (ends_on is None or day <= ends_on)
    assert planned == (set(pattern.get(day.weekday(), ())) if inside else set())


@given(pattern=patterns, changes=st.lists(st.tuples(part_ids, kinds), max_size=8))
def test_property_changes(pattern, changes) -> None:
    p = placement(pattern=pattern)
    rows = [change(p, MONDAY, PARTS[part], -1 if kind in ("swap_give_up", "absence") else 1, kind)
            for part, kind in changes]
    planned = {x.day_part_id: x.absent for x in rules.planned_parts(p, MONDAY, rows, PARTS)}
    for part in PARTS:
        count = (part in pattern.get(0, ())) + sum(r.delta for r in rows
                                                   if r.day_part_id == part and r.source_kind != "absence")
        assert (part in planned) == (count > 0)
        if part in planned:
            assert planned[part] == any(r.day_part_id == part and r.source_kind == "absence" for r in rows)
            # Occupancy: an absent child frees its place.
            assert (part in rules.occupied_parts(p, MONDAY, rows, GROUP)) == (not planned[part])


@given(occupied=st.integers(0, 50), capacity=st.integers(0, 50) | st.none())
def test_property_room(occupied, capacity) -> None:
    assert rules.has_room(occupied, capacity) == (capacity is None or occupied < capacity)


@given(periods=st.lists(st.tuples(days, st.integers(0, 40)), max_size=5), start=days, length=st.integers(0, 30))
def test_property_holiday_coverage_matches_date_by_date(periods, start, length) -> None:
    spans = [(first, first + timedelta(days=n)) for first, n in periods]
    end = start + timedelta(days=length)
    expected = all(any(a <= d <= b for a, b in spans) for d in rules.dates(start, end))
    assert rules.in_school_holidays(spans, start, end) == expected


@given(start=days, length=st.integers(-3, 400))
def test_property_dates_are_every_day_from_start_to_end(start, length) -> None:
    end = start + timedelta(days=length)
    walked, day = [], start
    while day <= end:  # the plain walk, one day at a time
        walked.append(day)
        day += timedelta(days=1)
    assert list(rules.dates(start, end)) == walked
    assert all(type(d) is date for d in rules.dates(start, end))


@given(minutes=st.integers(1, 24 * 60), cents=st.integers(0, 100_000))
def test_property_hourly_price_is_proportional_and_rounded_to_cents(minutes, cents) -> None:
    hourly = Decimal(cents) / 100
    part = DayPart(uuid.uuid4(), ORG, "day_care", "x", time(0), time(23, 59), hourly)
    price = rules.price_of(part, minutes)
    assert price == price.quantize(Decimal("0.01"))
    assert abs(price - hourly * minutes / 60) <= Decimal("0.005")


@given(day=days, weekdays=st.frozensets(st.integers(0, 6)))
def test_property_open_only_on_open_weekdays(day, weekdays) -> None:
    assert OrgCalendar(ORG, open_weekdays=weekdays).is_open(day) == (day.weekday() in weekdays)
