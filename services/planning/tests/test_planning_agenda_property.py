"""The one-statement agenda equals a straightforward reference over random schedules, changes, closing days and
pending requests (seeded random worlds on real PostgreSQL)."""

import json
import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from calendar_seed import store_organisation
from konnect_kit.answers import answer_bytes
from konnect_kit.db import Database
from planning.api.calendar_models import AgendaOut, DayDetailOut, agenda_content, day_detail_content
from planning.db.calendar import (
    care_changes,
    directory_children,
    directory_families,
    directory_placements,
)
from planning.db.requests import request_lines, requests
from planning.domain import calendar as rules
from planning.main import MIGRATIONS
from planning.service_layer import calendar as cal
from sqlalchemy import insert

START = date(2030, 3, 4)
WORLDS = 25


def world(rnd: random.Random) -> dict[str, Any]:
    """Rows of one random organisation with one family: what the reference and the database both get."""
    org, family, location = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    groups = [uuid.uuid4() for _ in range(3)]
    parts = [rules.DayPart(uuid.uuid4(), org, rnd.choice(["day_care", "after_school"]), f"P{i}",
                           time(7 + 3 * i), time(9 + 3 * i), Decimal("8.50"), None) for i in range(3)]
    calendar = rules.OrgCalendar(
        org, "Europe/Amsterdam", frozenset(rnd.sample(range(7), rnd.randint(3, 6))),
        {START + timedelta(days=rnd.randrange(40)): "Studiedag" for _ in range(rnd.randint(0, 4))}, 24, True)
    kids = []
    for _ in range(rnd.randint(1, 3)):
        kid = {"child_id": uuid.uuid4(), "first_name": rnd.choice(["Ada", "Bo", "Ada", "Cas"]), "last_name": "X",
               "deleted": rnd.random() < 0.15, "placements": [], "changes": []}
        for _ in range(rnd.randint(0, 2)):
            starts = START + timedelta(days=rnd.randrange(-10, 30))
            ends = None if rnd.random() < 0.5 else starts + timedelta(days=rnd.randrange(0, 30))
            pattern = {w: tuple(rnd.sample([x.day_part_id for x in parts], rnd.randint(1, 2)))
                       for w in rnd.sample(range(7), rnd.randint(1, 4))}
            kid["placements"].append(rules.Placement(uuid.uuid4(), kid["child_id"], family, rnd.choice(groups),
                                                     location, "day_care", starts, ends, pattern))
        for c in range(rnd.randint(0, 8)):
            kind = rnd.choice(["extra_day", "swap_give_up", "swap_target", "absence"])
            delta = -1 if kind in ("swap_give_up", "absence") else 1
            kid["changes"].append({
                "change": rules.CareChange(kid["child_id"], rnd.choice(groups),
                                           START + timedelta(days=rnd.randrange(-3, 35)),
                                           rnd.choice(parts).day_part_id, delta, kind),
                "active": rnd.random() < 0.8, "created_at": datetime(2030, 1, 1, tzinfo=UTC) + timedelta(minutes=c)})
        kids.append(kid)
    pending = []
    for _ in range(rnd.randint(0, 3)):
        kid = rnd.choice(kids)
        swap = rnd.random() < 0.5
        pending.append({"request_id": uuid.uuid4(), "line_id": uuid.uuid4(), "child_id": kid["child_id"],
                        "group_id": rnd.choice(groups), "kind": "swap" if swap else "extra_day",
                        "status": rnd.choice(["pending", "pending", "accepted"]),
                        "dates": sorted({START + timedelta(days=rnd.randrange(35)) for _ in range(2)}),
                        "day_part_ids": [parts[0].day_part_id],
                        "give_up_date": START + timedelta(days=rnd.randrange(35)) if swap else None,
                        "give_up_day_part_ids": [parts[1].day_part_id] if swap else []})
    return {"org": org, "family": family, "location": location, "groups": groups, "parts": parts,
            "calendar": calendar, "kids": kids, "pending": pending}


async def store(database: Database, w: dict[str, Any]) -> None:
    org, family = w["org"], w["family"]
    async with database.transaction() as s:
        await store_organisation(s, org=org, calendar=w["calendar"], location=w["location"], groups=w["groups"],
                                 parts=w["parts"])
        await s.execute(insert(directory_families), [{"family_id": family, "name": "F", "organisation_id": org,
                                                      "version": 1}])
        for kid in w["kids"]:
            await s.execute(insert(directory_children), [{
                "child_id": kid["child_id"], "family_id": family, "first_name": kid["first_name"],
                "last_name": kid["last_name"], "organisation_id": org, "version": 1, "deleted": kid["deleted"]}])
            for p in kid["placements"]:
                await s.execute(insert(directory_placements), [{
                    "placement_id": p.placement_id, "child_id": p.child_id, "family_id": family,
                    "group_id": p.group_id, "location_id": p.location_id, "care_type": p.care_type,
                    "starts_on": p.starts_on, "ends_on": p.ends_on, "organisation_id": org, "version": 1,
                    "weekly_pattern": [{"weekday": wd, "day_part_ids": [str(i) for i in ids]}
                                       for wd, ids in p.pattern.items()]}])
            for ch in kid["changes"]:
                x = ch["change"]
                await s.execute(insert(care_changes), [{
                    "change_id": uuid.uuid4(), "organisation_id": org, "child_id": x.child_id, "group_id": x.group_id,
                    "date": x.day, "day_part_id": x.day_part_id, "delta": x.delta, "source_kind": x.source_kind,
                    "source_id": uuid.uuid4(), "active": ch["active"], "created_at": ch["created_at"]}])
        for line in w["pending"]:
            await s.execute(insert(requests), [{
                "request_id": line["request_id"], "organisation_id": org, "family_id": family, "kind": line["kind"],
                "all_or_nothing": False, "expires_on": START + timedelta(days=60), "submitted_by": "p",
                "submitted_role": "parent", "submitted_at": datetime(2030, 3, 1, tzinfo=UTC)}])
            await s.execute(insert(request_lines), [{
                "line_id": line["line_id"], "request_id": line["request_id"], "position": 0,
                "child_id": line["child_id"], "group_id": line["group_id"], "starts_on": min(line["dates"]),
                "ends_on": max(line["dates"]), "dates": line["dates"], "day_part_ids": line["day_part_ids"],
                "minutes": 120, "payment": "invoice", "give_up_date": line["give_up_date"],
                "give_up_day_part_ids": line["give_up_day_part_ids"], "status": line["status"],
                "reservation_status": "none"}])


def reference(w: dict[str, Any], start: date, end: date) -> list[dict[str, Any]]:
    """Date by date, child by child, straight from the generated rows with the calendar rules."""
    parts = {p.day_part_id: p for p in w["parts"]}
    names = {g: f"G{i}" for i, g in enumerate(w["groups"])}
    calendar = w["calendar"]
    kids = sorted([k for k in w["kids"] if not k["deleted"]], key=lambda k: (k["first_name"], k["child_id"]))
    days = []
    for kid in kids:
        changes = [c["change"] for c in sorted(kid["changes"], key=lambda c: c["created_at"]) if c["active"]]
        day = start
        while day <= end:
            placement = rules.placement_on(kid["placements"], day)
            planned = rules.planned_parts(placement, day, changes, parts, organisation_id=w["org"])
            if planned:
                group = placement.group_id if placement else planned[0].group_id
                days.append({"date": day, "child_id": kid["child_id"], "group_id": group, "group_name": names[group],
                             "location_id": w["location"], "location_name": "L", "open": calendar.is_open(day),
                             "closing_reason": calendar.closing_reason(day), "requests": [],
                             "parts": [(p.day_part_id, p.group_id, p.absent) for p in planned]})
            day += timedelta(days=1)
    shown = {k["child_id"] for k in kids}
    by_key = {(d["date"], d["child_id"]): d for d in days}
    for line in w["pending"]:
        if line["status"] != "pending" or line["child_id"] not in shown:
            continue
        role = "swap_target" if line["kind"] == "swap" else "extra_day"
        touched = [(d, role) for d in line["dates"]]
        touched += [(line["give_up_date"], "swap_give_up")] if line["give_up_date"] else []
        for day, what in touched:
            if not start <= day <= end:
                continue
            if (day, line["child_id"]) not in by_key:
                by_key[(day, line["child_id"])] = bare = {
                    "date": day, "child_id": line["child_id"], "group_id": line["group_id"], "group_name": None,
                    "location_id": None, "location_name": None, "open": calendar.is_open(day),
                    "closing_reason": calendar.closing_reason(day), "requests": [], "parts": []}
                days.append(bare)
            by_key[(day, line["child_id"])]["requests"].append((line["line_id"], what))
    first = {k["child_id"]: k["first_name"] for k in kids}
    return sorted(days, key=lambda d: (d["date"], first[d["child_id"]], str(d["child_id"])))


def comparable(day: dict[str, Any]) -> dict[str, Any]:
    return {"date": day["date"], "child_id": day["child_id"], "group_id": day["group_id"],
            "group_name": day["group_name"], "location_id": day["location_id"],
            "location_name": day["location_name"], "open": day["open"], "closing_reason": day["closing_reason"],
            "parts": [(p["day_part_id"], p["group_id"], p["absent"]) for p in day["parts"]],
            "requests": sorted((r["line_id"], r["role"]) for r in day["requests"])}


@pytest.mark.parametrize("seed", range(WORLDS))
async def test_the_agenda_equals_the_reference(migrated_database, seed: int) -> None:
    rnd = random.Random(seed)
    w = world(rnd)
    database = Database(await _database(migrated_database))
    try:
        await store(database, w)
        start = START + timedelta(days=rnd.randrange(-2, 5))
        end = start + timedelta(days=rnd.randrange(0, 28))
        async with database.read() as reader:  # the agenda screen's lean read path
            found = await cal.agenda_days(reader, w["family"], start, end)
        async with database.transaction() as session:  # the calendar feed's unit of work: the same days
            assert await cal.agenda_days(session, w["family"], start, end) == found
        expected = reference(w, start, end)
        for day in expected:
            day["requests"] = sorted(day["requests"])
        assert [comparable(d) for d in found] == expected, json.dumps(seed)
        # The route writes these days as they are: the same bytes as the documented answer model writes them.
        modelled = AgendaOut.model_validate({"family_id": w["family"], "start": start, "end": end, "days": found})
        written = answer_bytes(agenda_content(w["family"], start, end, found))
        assert written == modelled.model_dump_json(by_alias=True).encode()
        # A child's day detail writes the same day dicts: the same bytes as DayDetailOut writes them.
        for kid in w["kids"]:
            own = [d for d in found if d["child_id"] == kid["child_id"] and d["date"] == start]
            detail = day_detail_content(
                kid["child_id"], start, kid["first_name"], "Jansen", closing_reason=None, is_open=True,
                placement=None, group_name=own[0]["group_name"] if own else None, location_name=None, days=own,
                generated_at=datetime(2030, 1, 1, 12, 0, 0, 123400, tzinfo=UTC))
            assert answer_bytes(detail) == DayDetailOut.model_validate(detail).model_dump_json().encode()
    finally:
        await database.dispose()


_URL: dict[str, str] = {}


async def _database(migrated_database: Any) -> str:
    # One migrated database for all worlds (each world is its own organisation and family).
    if "url" not in _URL:
        _URL["url"] = await migrated_database(MIGRATIONS)
    return _URL["url"]
