"""Availability (occupancy counted in SQL, and read from the occupancy read model once counted) equals a
straightforward reference over random groups of children with placements, changes, absences and capacities
(seeded random worlds on real PostgreSQL)."""

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from calendar_seed import store_organisation
from konnect_kit.answers import answer_bytes
from konnect_kit.db import Database
from planning.api.calendar_models import AvailabilityOut, availability_content
from planning.db.calendar import (
    care_changes,
    directory_children,
    directory_families,
    directory_placements,
    group_capacity,
)
from planning.domain import calendar as rules
from planning.main import MIGRATIONS
from planning.occupancy_builder import OccupancyBuilder
from planning.service_layer import calendar as cal
from planning.service_layer import occupancy
from sqlalchemy import insert

START = date(2030, 3, 4)
DAYS = 14
WORLDS = 25
NOW = datetime(2030, 3, 1, 9, tzinfo=UTC)  # before every date asked: "in_the_past" never hides a full group


def world(rnd: random.Random) -> dict[str, Any]:
    """One organisation with a few groups and up to 16 children who move between them: what both sides get.

    Small groups and capacities, few dates and day parts: so places collide, groups fill up, children are placed
    in two groups at once (the newest placement wins), move in by swaps and extra days, and are absent.
    """
    org, location = uuid.uuid4(), uuid.uuid4()
    groups = [uuid.uuid4() for _ in range(rnd.randint(1, 3))]
    parts = [rules.DayPart(uuid.uuid4(), org, "day_care", f"P{i}", time(7 + 3 * i), time(9 + 3 * i),
                           Decimal("8.50"), None) for i in range(rnd.randint(1, 3))]
    calendar = rules.OrgCalendar(
        org, "Europe/Amsterdam", frozenset(rnd.sample(range(7), rnd.randint(4, 7))),
        {START + timedelta(days=rnd.randrange(DAYS)): "Studiedag" for _ in range(rnd.randint(0, 2))}, 24, True)
    capacity = {(g, p.day_part_id): rnd.randint(0, 4) for g in groups for p in parts if rnd.random() < 0.8}
    kids = []
    for _ in range(rnd.randint(1, 16)):
        kid = {"child_id": uuid.uuid4(), "family_id": uuid.uuid4(), "deleted": rnd.random() < 0.1,
               "placements": [], "changes": []}
        for _ in range(rnd.choice([0, 1, 1, 1, 2, 2])):
            starts = START + timedelta(days=rnd.randrange(-5, DAYS))
            ends = None if rnd.random() < 0.5 else starts + timedelta(days=rnd.randrange(0, DAYS))
            pattern = {w: tuple(rnd.sample([x.day_part_id for x in parts], rnd.randint(1, len(parts))))
                       for w in rnd.sample(range(7), rnd.randint(1, 5))}
            placement = rules.Placement(uuid.uuid4(), kid["child_id"], kid["family_id"], rnd.choice(groups),
                                        location, "day_care", starts, ends, pattern)
            # "repeat": the stored pattern names a weekday twice (its parts count once, like the domain's merge).
            kid["placements"].append({"placement": placement, "deleted": rnd.random() < 0.1,
                                      "repeat": rnd.random() < 0.3})
        # Distinct times, out of insertion order: the last change by created_at decides a part's group (the
        # database breaks created_at ties by change_id, which this reference cannot know).
        for minute in rnd.sample(range(600), rnd.randint(0, 10)):
            kind = rnd.choice(["extra_day", "swap_give_up", "swap_target", "absence"])
            kid["changes"].append({
                "change": rules.CareChange(kid["child_id"], rnd.choice(groups),
                                           START + timedelta(days=rnd.randrange(DAYS)), rnd.choice(parts).day_part_id,
                                           -1 if kind in ("swap_give_up", "absence") else 1, kind),
                "active": rnd.random() < 0.85,
                "created_at": datetime(2030, 1, 1, tzinfo=UTC) + timedelta(minutes=minute)})
        kids.append(kid)
    return {"org": org, "location": location, "groups": groups, "parts": parts, "calendar": calendar,
            "capacity": capacity, "kids": kids}


async def store(database: Database, w: dict[str, Any]) -> None:
    org = w["org"]
    async with database.transaction() as s:
        await store_organisation(s, org=org, calendar=w["calendar"], location=w["location"], groups=w["groups"],
                                 parts=w["parts"])
        if w["capacity"]:
            await s.execute(insert(group_capacity), [{"group_id": g, "day_part_id": p, "organisation_id": org,
                                                      "capacity": n, "version": 1}
                                                     for (g, p), n in w["capacity"].items()])
        for kid in w["kids"]:
            await s.execute(insert(directory_families), [{"family_id": kid["family_id"], "name": "F",
                                                          "organisation_id": org, "version": 1}])
            await s.execute(insert(directory_children), [{
                "child_id": kid["child_id"], "family_id": kid["family_id"], "first_name": "K", "last_name": "X",
                "organisation_id": org, "version": 1, "deleted": kid["deleted"]}])
            for stored in kid["placements"]:
                p = stored["placement"]
                slots = [{"weekday": wd, "day_part_ids": [str(i) for i in ids]} for wd, ids in p.pattern.items()]
                await s.execute(insert(directory_placements), [{
                    "placement_id": p.placement_id, "child_id": p.child_id, "family_id": p.family_id,
                    "group_id": p.group_id, "location_id": p.location_id, "care_type": p.care_type,
                    "starts_on": p.starts_on, "ends_on": p.ends_on, "organisation_id": org, "version": 1,
                    "deleted": stored["deleted"],
                    "weekly_pattern": slots + slots[:1] if stored["repeat"] else slots}])
            for ch in kid["changes"]:
                x = ch["change"]
                await s.execute(insert(care_changes), [{
                    "change_id": uuid.uuid4(), "organisation_id": org, "child_id": x.child_id, "group_id": x.group_id,
                    "date": x.day, "day_part_id": x.day_part_id, "delta": x.delta, "source_kind": x.source_kind,
                    "source_id": uuid.uuid4(), "active": ch["active"], "created_at": ch["created_at"]}])


def _placements(kid: dict[str, Any]) -> list[rules.Placement]:
    return [p["placement"] for p in kid["placements"] if not p["deleted"]]


def _changes(kid: dict[str, Any]) -> list[rules.CareChange]:
    return [c["change"] for c in sorted(kid["changes"], key=lambda c: c["created_at"]) if c["active"]]


def reference_occupancy(w: dict[str, Any], group_id: uuid.UUID, day: date) -> dict[uuid.UUID, int]:
    """Child by child over every child of the organisation (not deleted), with the domain rules."""
    counts: dict[uuid.UUID, int] = {}
    for kid in w["kids"]:
        if kid["deleted"]:
            continue
        placement = rules.placement_on(_placements(kid), day)
        for part_id in rules.occupied_parts(placement, day, _changes(kid), group_id):
            counts[part_id] = counts.get(part_id, 0) + 1
    return counts


def reference(w: dict[str, Any], kid: dict[str, Any], day: date) -> dict[str, Any]:
    """What the availability screen should show for this child that date, from the generated rows."""
    parts = {p.day_part_id: p for p in w["parts"]}
    placement = rules.placement_on(_placements(kid), day)
    planned = rules.planned_parts(placement, day, _changes(kid), parts, organisation_id=w["org"])
    taken = {} if placement is None else reference_occupancy(w, placement.group_id, day)
    options = []
    for part in w["parts"]:  # every part is day care, like the placements
        if part.day_part_id in {p.day_part_id for p in planned}:
            continue
        capacity = None if placement is None else w["capacity"].get((placement.group_id, part.day_part_id))
        room = rules.has_room(taken.get(part.day_part_id, 0), capacity)
        reason = rules.option_reason(calendar=w["calendar"], day=day, today=NOW.date(), placement=placement,
                                     room=room)
        options.append((part.day_part_id, reason))
    return {"open": w["calendar"].is_open(day), "placement": placement and placement.placement_id,
            "planned": [(p.day_part_id, p.group_id, p.absent) for p in planned], "options": options}


def comparable(found: rules.Availability) -> dict[str, Any]:
    return {"open": found.open, "placement": found.placement and found.placement.placement_id,
            "planned": [(p.day_part_id, p.group_id, p.absent) for p in found.planned],
            "options": [(o.day_part_id, o.reason) for o in found.options]}


@pytest.mark.parametrize("seed", range(WORLDS))
async def test_availability_equals_the_reference(migrated_database, seed: int, monkeypatch) -> None:
    rnd = random.Random(seed)
    w = world(rnd)
    database = Database(await _database(migrated_database))
    # The read model counts three weeks from NOW (every date asked), not four months: the worlds stay quick.
    monkeypatch.setattr(occupancy, "SPAN_AFTER", timedelta(days=21))
    monkeypatch.setattr(occupancy, "KEEP_AFTER", timedelta(days=18))
    shown = 0
    try:
        await store(database, w)
        asked = [(kid, day) for kid in w["kids"] if not kid["deleted"]
                 for day in sorted({START + timedelta(days=rnd.randrange(DAYS)) for _ in range(4)})]
        # First counted live (nothing counted ahead yet), then from the read model, which the builder fills.
        shown += await _compare(database, w, asked, seed, stored=False)
        assert await OccupancyBuilder(database, lambda: NOW, poll_seconds=1).drain() >= len(w["groups"]), seed
        shown += await _compare(database, w, asked, seed, stored=True)
    finally:
        await database.dispose()
    # Planned parts, options and placements were written: the byte comparison below compared something.
    assert shown > 0 or all(k["deleted"] for k in w["kids"]), seed


async def _compare(database: Database, w: dict[str, Any], asked: list[tuple[dict[str, Any], date]], seed: int,
                   *, stored: bool) -> int:
    shown = 0
    for kid, day in asked:
        async with database.read() as reader:  # the screen's lean read path
            context = await cal.availability_context(reader, kid["child_id"], day, None)
            found, _ = cal.availability_from(context, kid["child_id"], day, now=NOW)
        # From the read model once the builder ran; before, counted live (unless there is nothing to count:
        # no placement that date).
        assert context.occupancy_stored if stored else (not context.occupancy_stored
                                                        or context.occupancy == {}), seed
        async with database.transaction() as session:  # booking's unit of work: the same answer
            assert await cal.availability(session, kid["child_id"], day, now=NOW) == found
            # The counts equal request evaluation's (group_occupancy) and the reference, for every
            # group the statement counted (the child's groups that date).
            for group_id, counted in context.occupancy.items():
                assert counted == await cal.group_occupancy(session, group_id, day), seed
                assert counted == reference_occupancy(w, group_id, day), seed
        assert comparable(found) == reference(w, kid, day), seed
        # The route writes its content straight: the same bytes as AvailabilityOut built from the domain's
        # values (the route's former answer).
        modelled = AvailabilityOut.model_validate({
            "child_id": kid["child_id"], "date": day, "open": found.open, "today": NOW.date(),
            "placement": None if found.placement is None else vars(found.placement),
            "planned": [{**vars(p), "starts_at": rules.clock_text(p.starts_at),
                         "ends_at": rules.clock_text(p.ends_at)} for p in found.planned],
            "options": [vars(o) for o in found.options]})
        written = answer_bytes(availability_content(
            kid["child_id"], day, found, NOW.date(), planned=[cal.part_dict(p) for p in found.planned]))
        assert written == modelled.model_dump_json().encode(), seed
        shown += bool(found.planned) + bool(found.options) + (found.placement is not None)
    return shown


def test_the_worlds_fill_groups() -> None:
    """The generated worlds do reach full groups (else the capacity comparison above would prove little)."""
    filled = 0
    for seed in range(WORLDS):
        rnd = random.Random(seed)
        w = world(rnd)
        for kid in w["kids"]:
            for offset in range(DAYS):
                day = START + timedelta(days=offset)
                placement = rules.placement_on(_placements(kid), day)
                if kid["deleted"] or placement is None:
                    continue
                taken = reference_occupancy(w, placement.group_id, day)
                filled += any(n >= w["capacity"].get((placement.group_id, p), n + 1) for p, n in taken.items())
    assert filled > 50


_URL: dict[str, str] = {}


async def _database(migrated_database: Any) -> str:
    # One migrated database for all worlds (each world is its own organisation).
    if "url" not in _URL:
        _URL["url"] = await migrated_database(MIGRATIONS)
    return _URL["url"]
