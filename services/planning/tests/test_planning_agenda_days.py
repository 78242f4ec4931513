"""The agenda read model: stored days answer what the computed agenda answers, byte for byte, and any change to what
a family's days are made of makes the screen compute them again until the builder has stored them anew."""

import asyncio
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from konnect_kit.answers import answer_bytes
from konnect_kit.db import Database
from planning.agenda_builder import AgendaBuilder
from planning.api.calendar_models import (
    agenda_content,
    day_detail_from,
    stored_agenda_answer,
    stored_day_detail_answer,
)
from planning.main import MIGRATIONS
from planning.service_layer import agenda_days
from planning.service_layer import calendar as cal
from sqlalchemy import text
from test_planning_agenda_property import START, store, world

TODAY = START + timedelta(days=3)  # the builder's today: the worlds' days lie around it


async def _build_all(database: Database) -> int:
    builder = AgendaBuilder(database, lambda: datetime.combine(TODAY, time(8), UTC), poll_seconds=1)
    return await builder.drain()


async def _answers(database: Database, w: dict[str, Any], start: date, end: date) -> tuple[bytes | None, bytes]:
    """(the stored answer, None when the screen would compute it; the computed answer) for the world's family."""
    async with database.read() as reader:
        stored = await agenda_days.stored_agenda(reader, start, end, family_id=w["family"])
        days = await cal.agenda_days(reader, w["family"], start, end)
    computed = answer_bytes(agenda_content(w["family"], start, end, days))
    if stored.days is None:
        return None, computed
    return stored_agenda_answer(w["family"], start, end, stored.days), computed


MADE = datetime(2031, 1, 2, 3, 4, 5, 678900, tzinfo=UTC)


async def _details(database: Database, child_id: Any, day: date) -> tuple[bytes | None, bytes | None]:
    """(the stored day detail answer, None when the screen would compute it; the computed one, None for no child)"""
    async with database.read() as reader:
        stored = await agenda_days.stored_day_detail(reader, child_id, day)
        context = await cal.agenda_context(reader, day, day, child_id=child_id)
        kid = next((k for k in context.kids if k.child_id == child_id), None)
        if kid is None:
            return None, None
        days = [d for d in await cal.agenda_days_of(reader, context, day, day, child_ids=[child_id])]
    computed = answer_bytes(day_detail_from(context, kid, day, days, context.calendars[kid.organisation_id], MADE))
    return None if stored.detail is None else stored_day_detail_answer(stored.detail, MADE), computed


@pytest.mark.parametrize("seed", range(12))
async def test_stored_days_answer_the_computed_agenda_byte_for_byte(migrated_database, seed: int) -> None:
    rnd = random.Random(1000 + seed)
    w = world(rnd)
    database = Database(await _database(migrated_database))
    try:
        await store(database, w)
        assert (await _answers(database, w, START, START))[0] is None  # not built yet: computed
        assert await _build_all(database) >= 1
        pending = any(line["status"] == "pending" for line in w["pending"])
        for _ in range(4):
            start = TODAY + timedelta(days=rnd.randrange(-14, 10))
            end = start + timedelta(days=rnd.randrange(0, 92))
            stored, computed = await _answers(database, w, start, end)
            if pending:  # pending requests are drawn onto the days live
                assert stored is None
            else:
                assert stored == computed, (seed, start, end)
        # Each child's day detail on every date of two weeks: stored when the agenda has that child's day then.
        shown = 0
        for kid in w["kids"]:
            for offset in range(-7, 7):
                day = TODAY + timedelta(days=offset)
                stored, computed = await _details(database, kid["child_id"], day)
                if stored is not None:
                    assert stored == computed, (seed, kid["child_id"], day)
                    shown += 1
                elif computed is not None and not pending:  # no care that day: nothing stored, computed
                    assert b'"parts":[]' in computed, (seed, kid["child_id"], day)
        assert pending or shown == sum(1 for d in await _agenda_days(database, w, TODAY - timedelta(days=7),
                                                                     TODAY + timedelta(days=6)))
        # Outside the stored span (long ago, far ahead): computed.
        assert (await _answers(database, w, TODAY - timedelta(days=60), TODAY - timedelta(days=40)))[0] is None
        assert (await _answers(database, w, TODAY + timedelta(days=110), TODAY + timedelta(days=130)))[0] is None
    finally:
        await database.dispose()


# Each change a family's days depend on, as the statement a writer would run ({...}: the world's ids).
CHANGES = {
    "a child renamed": "UPDATE directory_children SET first_name = 'Zoë' WHERE family_id = '{family}'",
    "a child gone": "UPDATE directory_children SET deleted = true WHERE family_id = '{family}'",
    "a placement's pattern": "UPDATE directory_placements SET weekly_pattern = '[]' WHERE family_id = '{family}'",
    "a placement ended": "UPDATE directory_placements SET ends_on = starts_on WHERE family_id = '{family}'",
    "a new placement": """INSERT INTO directory_placements (placement_id, child_id, family_id, group_id, location_id,
        care_type, starts_on, weekly_pattern, organisation_id, version) SELECT gen_random_uuid(), child_id,
        family_id, '{group}', NULL, 'day_care', '{today}', '[{{"weekday": 0, "day_part_ids": ["{part}"]}},
        {{"weekday": 1, "day_part_ids": ["{part}"]}}, {{"weekday": 2, "day_part_ids": ["{part}"]}},
        {{"weekday": 3, "day_part_ids": ["{part}"]}}, {{"weekday": 4, "day_part_ids": ["{part}"]}}]',
        organisation_id, 1 FROM directory_children WHERE family_id = '{family}' LIMIT 1""",
    "an absence": """INSERT INTO care_changes (change_id, organisation_id, child_id, group_id, date, day_part_id,
        delta, source_kind, source_id, active, created_at) SELECT gen_random_uuid(), organisation_id, child_id,
        '{group}', '{today}', '{part}', -1, 'absence', gen_random_uuid(), true, now()
        FROM directory_children WHERE family_id = '{family}'""",
    "a care change withdrawn": "UPDATE care_changes SET active = NOT active WHERE organisation_id = '{org}'",
    "a closing day": "INSERT INTO closing_days (organisation_id, date, reason, version) "
                     "VALUES ('{org}', '{today}', 'Sluiting', 1) "
                     "ON CONFLICT (organisation_id, date) DO UPDATE SET reason = 'Sluiting'",
    "opening days": "UPDATE organisation_settings SET open_weekdays = '{{}}' WHERE organisation_id = '{org}'",
    "a day part's times": "UPDATE day_parts SET starts_at = '06:45' WHERE organisation_id = '{org}'",
    "a group renamed": "UPDATE directory_groups SET name = 'Vlinders' WHERE organisation_id = '{org}'",
    "a location renamed": "UPDATE directory_locations SET name = 'Centrum' WHERE organisation_id = '{org}'",
}


@pytest.mark.parametrize("change", sorted(CHANGES))
async def test_a_change_to_what_the_days_are_made_of_is_never_hidden(migrated_database, change: str) -> None:
    rnd = random.Random(change)
    w = world(rnd)
    while not all(kid["placements"] for kid in w["kids"]):  # every change below has a row to change
        w = world(rnd)
    w["pending"] = []
    for kid in w["kids"]:
        kid["deleted"] = False
    database = Database(await _database(migrated_database))
    try:
        await store(database, w)
        async with database.transaction() as session:  # one care change to withdraw
            await session.execute(text(CHANGES["an absence"].format(
                family=w["family"], group=w["groups"][0], part=w["parts"][0].day_part_id, today=TODAY)))
        await _build_all(database)
        start, end = TODAY - timedelta(days=7), TODAY + timedelta(days=28)
        before, computed_before = await _answers(database, w, start, end)
        assert before == computed_before
        days_before = await _agenda_days(database, w, start, end)
        for day in days_before:
            assert (await _details(database, day["child_id"], day["date"]))[0] is not None
        async with database.transaction() as session:
            await session.execute(text(CHANGES[change].format(
                family=w["family"], org=w["org"], group=w["groups"][0], part=w["parts"][0].day_part_id,
                today=TODAY)))
        stale, computed = await _answers(database, w, start, end)
        assert stale is None  # the screen computes it: the change shows at once
        for day in days_before:  # and so does every day's detail
            assert (await _details(database, day["child_id"], day["date"]))[0] is None
        await _build_all(database)
        rebuilt, computed_again = await _answers(database, w, start, end)
        assert rebuilt == computed_again == computed
    finally:
        await database.dispose()


async def test_an_update_that_changes_nothing_keeps_the_days(migrated_database) -> None:
    """A directory event delivered twice writes the same row again: nothing to compute."""
    w = world(random.Random(7))
    w["pending"] = []
    database = Database(await _database(migrated_database))
    try:
        await store(database, w)
        await _build_all(database)
        async with database.transaction() as session:
            await session.execute(text("UPDATE directory_children SET first_name = first_name WHERE family_id = :f"),
                                  {"f": w["family"]})
        assert (await _answers(database, w, TODAY, TODAY + timedelta(days=20)))[0] is not None
        assert await _build_all(database) == 0
    finally:
        await database.dispose()


async def _agenda_days(database: Database, w: dict[str, Any], start: date, end: date) -> list[dict[str, Any]]:
    async with database.read() as reader:
        return await cal.agenda_days(reader, w["family"], start, end)


_URL: dict[str, str] = {}


async def _database(migrated_database: Any) -> str:
    # One migrated database for all worlds (each world is its own organisation and family).
    if "url" not in _URL:
        _URL["url"] = await migrated_database(MIGRATIONS)
    return _URL["url"]


async def test_builders_of_several_instances_share_the_work_and_agree(migrated_database) -> None:
    """Two planning instances' builders at once: each family is computed by one of them, none is left out, and every
    stored agenda is the computed one."""
    worlds = [world(random.Random(2000 + n)) for n in range(6)]
    for w in worlds:
        w["pending"] = []
    database = Database(await _database(migrated_database))
    other = Database(await _database(migrated_database))
    try:
        for w in worlds:
            await store(database, w)
        now = datetime.combine(TODAY, time(8), UTC)
        first, second = (AgendaBuilder(db, lambda: now, poll_seconds=1) for db in (database, other))
        built = await asyncio.gather(first.drain(), second.drain())
        assert sum(built) >= len(worlds) and await _build_all(database) == 0
        for w in worlds:
            stored, computed = await _answers(database, w, TODAY - timedelta(days=5), TODAY + timedelta(days=40))
            assert stored == computed
    finally:
        await database.dispose()
        await other.dispose()
