"""The occupancy read model: availability reads counts stored ahead only while nothing they are made of changed;
a change shows at once (counted live on the dates it touches) until the builder has counted them again."""

import random
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from konnect_kit.db import Database
from planning.domain import calendar as rules
from planning.main import MIGRATIONS
from planning.occupancy_builder import OccupancyBuilder
from planning.service_layer import calendar as cal
from planning.service_layer import occupancy
from sqlalchemy import text
from test_planning_availability_property import DAYS, NOW, START, store, world

ASKED = [START + timedelta(days=i) for i in range(DAYS)]


@pytest.fixture(autouse=True)
def _short_span(monkeypatch) -> None:
    # Three weeks from NOW cover every date asked; four months would only make the tests slower.
    monkeypatch.setattr(occupancy, "SPAN_AFTER", timedelta(days=21))
    monkeypatch.setattr(occupancy, "KEEP_AFTER", timedelta(days=18))


def _busy_world(seed: int) -> tuple[dict[str, Any], date]:
    """A world whose children (none deleted) all have a placement in its first group (every child a classmate) and
    another group to move to; with a date on which its first child and another are placed."""
    rnd = random.Random(seed)
    while True:
        w = world(rnd)
        for kid in w["kids"]:
            kid["deleted"] = False
            for stored in kid["placements"]:
                stored["placement"] = stored["placement"].__class__(
                    **{**vars(stored["placement"]), "group_id": w["groups"][0]})
            for change in kid["changes"]:
                change["change"] = change["change"].__class__(**{**vars(change["change"]), "group_id": w["groups"][0]})
        placed = {day: [rules.placement_on([p["placement"] for p in k["placements"] if not p["deleted"]], day)
                        is not None for k in w["kids"]] for day in ASKED}
        days = [day for day, kids in placed.items() if kids[0] and sum(kids) >= 2]
        if len(w["kids"]) >= 3 and len(w["groups"]) >= 2 and days:
            return w, days[0]


async def _build(database: Database) -> int:
    return await OccupancyBuilder(database, lambda: NOW, poll_seconds=1).drain()


async def _read(database: Database, w: dict[str, Any]) -> dict[tuple[uuid.UUID, date], bool]:
    """Every child's availability on every date: the counts must be the booking's own count of the group (the
    truth, counted in Python) whichever way they were read. Returns whether each was read from the read model."""
    stored = {}
    for kid in w["kids"]:
        for day in ASKED:
            async with database.read() as reader:
                context = await cal.availability_context(reader, kid["child_id"], day, None)
            async with database.transaction() as session:
                for group_id, counted in context.occupancy.items():
                    assert counted == await cal.group_occupancy(session, group_id, day), (kid["child_id"], day)
            if context.occupancy or not context.occupancy_stored:  # placed that date: something to count
                stored[(kid["child_id"], day)] = context.occupancy_stored
    return stored


CHANGES = {
    "an extra day": """INSERT INTO care_changes (change_id, organisation_id, child_id, group_id, date, day_part_id,
        delta, source_kind, source_id) VALUES (gen_random_uuid(), '{org}', '{child}', '{group}', '{day}', '{part}', 1,
        'extra_day', gen_random_uuid())""",
    "an absence": """INSERT INTO care_changes (change_id, organisation_id, child_id, group_id, date, day_part_id,
        delta, source_kind, source_id) VALUES (gen_random_uuid(), '{org}', '{child}', '{group}', '{day}', '{part}', -1,
        'absence', gen_random_uuid())""",
    "a care change withdrawn": "UPDATE care_changes SET active = NOT active WHERE child_id = '{child}'",
    "a care change deleted": "DELETE FROM care_changes WHERE child_id = '{child}'",
    "a placement ended": "UPDATE directory_placements SET ends_on = starts_on WHERE child_id = '{child}'",
    "a placement's pattern": "UPDATE directory_placements SET weekly_pattern = '[]' WHERE child_id = '{child}'",
    "a placement deleted": "DELETE FROM directory_placements WHERE child_id = '{child}'",
    "a placement in another group": "UPDATE directory_placements SET group_id = '{other}' WHERE child_id = '{child}'",
    "a new placement": """INSERT INTO directory_placements (placement_id, child_id, family_id, group_id, location_id,
        care_type, starts_on, weekly_pattern, organisation_id, version) SELECT gen_random_uuid(), child_id, family_id,
        '{group}', NULL, 'day_care', '{day}', '[{{"weekday": 0, "day_part_ids": ["{part}"]}},
        {{"weekday": 2, "day_part_ids": ["{part}"]}}, {{"weekday": 4, "day_part_ids": ["{part}"]}}]',
        organisation_id, 1 FROM directory_children WHERE child_id = '{child}'""",
    "a child gone": "UPDATE directory_children SET deleted = true WHERE child_id = '{child}'",
    "care changes emptied": "TRUNCATE care_changes",
}


@pytest.mark.parametrize("change", sorted(CHANGES))
async def test_a_change_to_what_is_counted_is_never_hidden(migrated_database, change: str) -> None:
    w, day = _busy_world(sum(map(ord, change)))
    database = Database(await _database(migrated_database))
    try:
        await store(database, w)
        assert await _read(database, w) and not any((await _read(database, w)).values())  # nothing counted yet
        assert await _build(database) >= 1
        assert all((await _read(database, w)).values())  # every read from the read model
        child = w["kids"][0]["child_id"]
        async with database.transaction() as session:
            await session.execute(text(CHANGES[change].format(
                org=w["org"], child=child, group=w["groups"][0], other=w["groups"][1], part=w["parts"][0].day_part_id,
                day=day)))
        after = await _read(database, w)  # right, whichever way each was read (asserted within)
        assert not all(after.values()), "the change was read from counts made before it"
        if change in ("an extra day", "an absence"):  # one date touched: the others are still read as stored
            assert all(v for (_, asked), v in after.items() if asked != day)
        assert await _build(database) >= 1
        assert all((await _read(database, w)).values())
        assert await _build(database) == 0  # nothing left to count
    finally:
        await database.dispose()


async def test_a_change_committed_while_the_builder_counts_is_not_lost(migrated_database) -> None:
    """The builder's snapshot predates a change committed before it stores its counts: the change's stale mark
    survives the builder, so those counts are not used."""
    w, day = _busy_world(11)
    database = Database(await _database(migrated_database))
    other = Database(await _database(migrated_database))
    try:
        await store(database, w)
        await _build(database)
        async with database.transaction() as session:  # something for the builder to count again
            await session.execute(text("UPDATE directory_placements SET version = version + 1 WHERE child_id = :c"),
                                  {"c": w["kids"][1]["child_id"]})
        async with database.transaction() as session:
            picked = await occupancy.next_to_count(session, NOW.date())
            assert picked is not None and picked.group_id == w["groups"][0]
            counts = await occupancy.count(session, picked)
            async with other.transaction() as writer:  # committed after the builder's snapshot
                await writer.execute(text(CHANGES["an extra day"].format(
                    org=w["org"], child=w["kids"][0]["child_id"], group=w["groups"][0],
                    part=w["parts"][0].day_part_id, day=day)))
            await occupancy.store_counts(session, picked, counts)
        after = await _read(database, w)  # the counts are right (asserted within) ...
        assert after[(w["kids"][0]["child_id"], day)] is False  # ... because that date is counted live
        assert all(v for (_, asked), v in after.items() if asked != day)
        assert await _build(database) == 1
        assert all((await _read(database, w)).values())
    finally:
        await database.dispose()
        await other.dispose()


def test_only_the_stale_dates_inside_the_span_are_counted_again() -> None:
    today = date(2030, 3, 1)
    group = uuid.uuid4()
    start, end = today - occupancy.SPAN_BEFORE, today + occupancy.SPAN_AFTER
    stale = [(date(2030, 3, 4), date(2030, 3, 4)), (date(2030, 3, 3), date(2030, 3, 5)), (date.min, date(2030, 1, 1))]
    found = occupancy.counting(occupancy.store.TakenGroup(group, start, end, stale), today)
    assert found.dates == [date(2030, 3, 3), date(2030, 3, 4), date(2030, 3, 5)]
    assert (found.built_from, found.built_to) == (start, end)
    # A placement without an end: every date of the span, not one past it.
    found = occupancy.counting(occupancy.store.TakenGroup(group, start, end, [(date(2030, 3, 10), date.max)]), today)
    assert found.days() == [date(2030, 3, 10) + timedelta(days=i) for i in range((end - date(2030, 3, 10)).days + 1)]
    # Never counted, or the span running short: all of it, anew.
    for built in ((None, None), (start, today + occupancy.KEEP_AFTER - timedelta(days=1))):
        found = occupancy.counting(occupancy.store.TakenGroup(group, *built, []), today)
        assert found.dates is None and found.days()[0] == start and found.days()[-1] == end


_URL: dict[str, str] = {}


async def _database(migrated_database: Any) -> str:
    # One migrated database for all worlds (each world is its own organisation and groups).
    if "url" not in _URL:
        _URL["url"] = await migrated_database(MIGRATIONS)
    return _URL["url"]
