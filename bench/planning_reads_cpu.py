"""Micro-benchmark: CPU per call of planning's parent reads (use cases in-process, on a Session and on a Reader).

A family of two children (three-day weekly patterns, changes, closing days, pending requests; the agenda
property test's rows) in a new database on the running test PostgreSQL; each use case runs N times, timed
with time.process_time (client-side CPU: SQLAlchemy, asyncpg, JSON decoding and the agenda's own Python).
"Session" is the unit of work the routes used before; "Reader" is what they use now. Each use case runs what
its route runs now (one statement each; this file's first version ran the earlier two-statement flows).

    source /work/notes/ports-<name>.sh; .venv/bin/python bench/planning_reads_cpu.py [-n 2000] [--only agenda]
"""

import argparse
import asyncio
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import uvloop
from konnect_kit.db import Database
from konnect_kit.internal import Caller
from konnect_kit.migrations import upgrade_to_head
from planning.domain import calendar as rules
from planning.main import MIGRATIONS
from planning.service_layer import calendar as cal
from planning.service_layer.overview import family_overview

sys.path.insert(0, str(Path(__file__).parents[1] / "services/planning/tests"))
from test_planning_agenda_property import START, store


def family_world() -> dict[str, Any]:
    org, family, location = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    groups = [uuid.uuid4() for _ in range(2)]
    parts = [rules.DayPart(uuid.uuid4(), org, "day_care", name, time_of_day(h, 0), time_of_day(h + 5, 30),
                           Decimal("9.85"), None) for name, h in (("Ochtend", 7), ("Middag", 13))]
    calendar = rules.OrgCalendar(org, "Europe/Amsterdam", frozenset(range(5)),
                                 {START + timedelta(days=9): "Studiedag", START + timedelta(days=20): "Studiedag"},
                                 24, True)
    kids = []
    for n, (name, weekdays) in enumerate((("Sem", (0, 1, 3)), ("Lotte", (1, 2, 4)))):
        child = uuid.uuid4()
        pattern = {w: tuple(p.day_part_id for p in parts) for w in weekdays}
        placement = rules.Placement(uuid.uuid4(), child, family, groups[n], location, "day_care",
                                    START - timedelta(days=90), None, pattern)
        changes = [{"change": rules.CareChange(child, groups[n], START + timedelta(days=d), parts[d % 2].day_part_id,
                                               -1 if d % 3 else 1, "absence" if d % 3 else "extra_day"),
                    "active": True, "created_at": datetime(2030, 1, 1, tzinfo=UTC) + timedelta(minutes=d)}
                   for d in range(2, 27, 4)]
        kids.append({"child_id": child, "first_name": name, "last_name": "de Jong", "deleted": False,
                     "placements": [placement], "changes": changes})
    pending = [{"request_id": uuid.uuid4(), "line_id": uuid.uuid4(), "child_id": kids[i]["child_id"],
                "group_id": groups[i], "kind": "extra_day", "status": "pending",
                "dates": [START + timedelta(days=5 + 7 * i)], "day_part_ids": [parts[0].day_part_id],
                "give_up_date": None, "give_up_day_part_ids": []} for i in range(2)]
    return {"org": org, "family": family, "location": location, "groups": groups, "parts": parts,
            "calendar": calendar, "kids": kids, "pending": pending}


async def new_database() -> str:
    port = os.environ.get("KONNECT_TEST_POSTGRES_PORT", "25432")
    admin = await asyncpg.connect(f"postgresql://konnect@127.0.0.1:{port}/postgres")
    name = f"bench_{uuid.uuid4().hex[:10]}"
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = f"postgresql+asyncpg://konnect@127.0.0.1:{port}/{name}"
    await asyncio.to_thread(upgrade_to_head, MIGRATIONS, url)
    return url


async def main(n: int, only: str | None) -> None:
    url = await new_database()
    database = Database(url, pool_size=2, max_overflow=0)
    w = family_world()
    await store(database, w)
    family, child, day = w["family"], w["kids"][0]["child_id"], START + 1 * timedelta(days=1)
    start, end = START, START + timedelta(days=27)
    parent = Caller("parent", str(uuid.uuid4()), str(w["org"]), None)  # family found by `family_id` below
    staff = Caller("staff", str(uuid.uuid4()), str(w["org"]), None)

    async def agenda(db: Any) -> None:  # GET /agenda?from=&to=: the family, its checks and days in one statement
        context = await cal.agenda_context(db, start, end, family_id=family)
        days = await cal.agenda_days_of(db, context, start, end)
        await cal.enrich_agenda(db, family, start, end, days)

    async def day_detail(db: Any) -> None:  # GET /agenda/{child}/{date}
        context = await cal.agenda_context(db, day, day, child_id=child, account_id=parent.actor_id)
        await cal.agenda_days_of(db, context, day, day, child_ids=[child])

    async def availability(db: Any) -> None:  # GET /availability/{child}/{date}
        context = await cal.availability_context(db, child, day, parent.actor_id)
        cal.availability_from(context, child, day, now=datetime(2030, 3, 1, tzinfo=UTC))

    async def overview(db: Any) -> None:
        await family_overview(db, staff, family, datetime(2030, 3, 1, tzinfo=UTC))

    cases = {"agenda 4 weeks": agenda, "day detail": day_detail, "availability": availability,
             "request overview": overview}

    async def on_session(use: Callable[[Any], Awaitable[None]]) -> None:
        async with database.transaction() as session:
            await use(session)

    async def on_reader(use: Callable[[Any], Awaitable[None]]) -> None:
        async with database.read() as reader:
            await use(reader)

    print(f"{'use case':20s} {'Session':>10s} {'Reader':>10s}   (us CPU per call, {n} calls)")
    for name, use in cases.items():
        if only and only not in name:
            continue
        spent = []
        for runner in (on_session, on_reader):
            for _ in range(max(50, n // 20)):  # warm up: prepared statements, caches
                await runner(use)
            t = time.process_time()
            for _ in range(n):
                await runner(use)
            spent.append((time.process_time() - t) / n * 1e6)
        print(f"{name:20s} {spent[0]:10.0f} {spent[1]:10.0f}")
    await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--only", help="run the use cases whose name contains this")
    args = parser.parse_args()
    uvloop.run(main(args.n, args.only))
