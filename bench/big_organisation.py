"""The "big organisation" data set: 2,000+ children in 100+ groups with a year of planned care, requests and absences.

Added to the twin of the demo's De Regenboog (`TWIN_REGENBOOG`: the same organisation, families and people under
other ids and addresses, seeded beside the demo) in planning's database, with PostgreSQL COPY. So the twin Anne's
family reads against a big organisation (her children's groups get as many classmates as any other group), while
the demo's Anne reads against the small one in the same databases: `read_paths.py` measures the two path by path,
alternately. `load_everywhere` adds the other services' year too (the `big_*.py` loaders). `--into-demo` adds
planning's rows to the demo's own De Regenboog instead (to profile the demo logins on big data).

Why COPY into the owning service's tables rather than through the API or events: the data set is the end
state those paths produce (directory read models as identity's events leave them, requests and their
lines as the saga leaves them, care changes as decisions and absences write them). Through the API a year
of requests for 2,000 children is ~30,000 sagas, each with Kafka hops and evaluations: hours on this machine,
for data the benchmark only reads. COPY writes ~200,000 rows in seconds. The rows follow the same
constraints (check constraints, statuses, one care change per booked date and day part) so every read path
sees what production would. It is deterministic (seeded random), so runs compare.

    .venv/bin/python bench/big_organisation.py              # the running bench stack: the twin, big everywhere
    .venv/bin/python bench/big_organisation.py --into-demo  # planning's rows into the demo's own De Regenboog
"""

import argparse
import asyncio
import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg
from konnect_devstack.demo import DEMO, TWIN_REGENBOOG, DemoWorld
from konnect_devstack.infra import LocalInfra
from konnect_devstack.profiles import bench_profile
from konnect_kit.db import asyncpg_dsn

_NS = uuid.UUID("0b6f3c1e-51a4-4c55-9a0e-6f3b2f6d8c11")
FIRST = ["Daan", "Emma", "Sem", "Julia", "Lucas", "Mila", "Finn", "Tess", "Levi", "Sara", "Noah", "Zoë", "Liam",
         "Nora", "Milan", "Evi", "Jesse", "Saar", "Bram", "Lisa"]
LAST = ["de Vries", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos", "Vos",
        "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer"]
# Demo groups of De Regenboog: each gets as many extra children as a generated group (its classmates).
DEMO_GROUPS = ["dolfijnen", "zeesterren", "egeltjes", "vlinders"]


def _big_ids(world: DemoWorld) -> Callable[[str], uuid.UUID]:
    return lambda name: uuid.uuid5(_NS, world.prefix + name)


async def load(dsn: str, *, world: DemoWorld = TWIN_REGENBOOG, children: int = 2000, groups: int = 100,
               seed: int = 10) -> dict[str, int]:
    """Adds the data set to `world`'s De Regenboog in planning's database at `dsn` (idempotent: a second call
    finds it and does nothing)."""
    rnd = random.Random(seed)
    big_id = _big_ids(world)
    conn = await asyncpg.connect(dsn)
    try:
        organisation = uuid.UUID(world.id("org:regenboog"))
        if await conn.fetchval("SELECT 1 FROM directory_children WHERE child_id = $1", big_id("child:0")):
            return {}
        parts_by_type: dict[str, list[uuid.UUID]] = {}
        for row in await conn.fetch("SELECT day_part_id, care_type FROM day_parts WHERE organisation_id = $1 "
                                    "ORDER BY starts_at", organisation):
            parts_by_type.setdefault(row["care_type"], []).append(row["day_part_id"])
        locations = [uuid.UUID(world.id("loc:centrum")), uuid.UUID(world.id("loc:noord"))]
        group_rows, capacity_rows = [], []
        group_ids: list[tuple[uuid.UUID, uuid.UUID, str]] = []  # (group, location, care type)
        care_types = sorted(parts_by_type)
        for g in range(groups):
            group_id, location, care_type = big_id(f"group:{g}"), locations[g % 2], care_types[g % len(care_types)]
            group_ids.append((group_id, location, care_type))
            group_rows.append((group_id, location, f"Groep {g + 1}", care_type, organisation, 1, False))
            capacity_rows += [(group_id, p, organisation, 16, 1) for p in parts_by_type[care_type]]
        known = {r["group_id"]: r for r in await conn.fetch(
            "SELECT group_id, location_id, care_type FROM directory_groups WHERE organisation_id = $1", organisation)}
        demo_groups = [(uuid.UUID(world.id(f"group:{k}")),) for k in DEMO_GROUPS]
        demo_groups = [(g, known[g]["location_id"], known[g]["care_type"]) for (g,) in demo_groups if g in known]
        per_group = max(1, children // (groups + len(demo_groups)))
        slots = [g for g in demo_groups for _ in range(per_group)]
        slots += [group_ids[i % groups] for i in range(children - len(slots))]

        today = date.today()
        year_start = today - timedelta(days=182)  # a year around today: half history, half ahead
        families, parents, kids, placements = [], [], [], []
        requests, lines, absences, changes = [], [], [], []
        family_index = -1
        for c, (group_id, location, care_type) in enumerate(slots):
            if c % 5 != 1:  # 2 of every 5 families have two children
                family_index += 1
                family_id = big_id(f"family:{family_index}")
                last = rnd.choice(LAST)
                families.append((family_id, f"Familie {last}", organisation, 1, False))
                for p in range(1 + (family_index % 3 != 0)):
                    parents.append((big_id(f"parent:{family_index}:{p}"), family_id, f"Ouder {p + 1} {last}",
                                    organisation, 1, False))
            child_id = big_id(f"child:{c}")
            kids.append((child_id, family_id, rnd.choice(FIRST), last, organisation, 1, False))
            parts = parts_by_type[care_type]
            weekdays = sorted(rnd.sample(range(5), rnd.randint(2, 4)))
            pattern = [{"weekday": w, "day_part_ids": [str(p) for p in parts[:rnd.randint(1, len(parts))]]}
                       for w in weekdays]
            placements.append((big_id(f"placement:{c}"), child_id, family_id, group_id, location, care_type,
                               today - timedelta(days=400), None, json.dumps(pattern), organisation, 1, False))
            # A year of requests: about one a month, most decided, the recent ones pending.
            for r in range(12):
                day = year_start + timedelta(days=rnd.randrange(0, 365))
                if day.weekday() >= 5:
                    continue
                request_id, line_id = big_id(f"request:{c}:{r}"), big_id(f"line:{c}:{r}")
                status = "pending" if day > today and rnd.random() < 0.3 else rnd.choice(
                    ["accepted", "accepted", "accepted", "rejected", "cancelled"])
                submitted = datetime.combine(day - timedelta(days=rnd.randint(3, 30)), datetime.min.time(), UTC)
                part = rnd.choice(parts)
                requests.append((request_id, organisation, family_id, "extra_day", False, day, "bench", "parent",
                                 submitted, None if status == "pending" else submitted + timedelta(hours=5)))
                lines.append((line_id, request_id, 0, child_id, group_id, care_type, day, day, [day], [part], 330,
                              "invoice", None, None, Decimal("45.00"), status, "none"))
                if status == "accepted":
                    changes.append((uuid.uuid4(), organisation, child_id, group_id, day, part, 1, "extra_day",
                                    request_id, True, submitted))
            for a in range(4):  # a few absences a year
                day = year_start + timedelta(days=rnd.randrange(0, 365))
                absence_id = big_id(f"absence:{c}:{a}")
                status = rnd.choice(["registered", "registered", "registered", "cancelled"])
                reported = datetime.combine(day, datetime.min.time(), UTC)
                absences.append((absence_id, organisation, family_id, child_id, group_id, day, day, parts,
                                 rnd.choice(["sick", "vacation", "other"]), status, "bench", reported))
                changes += [(uuid.uuid4(), organisation, child_id, group_id, day, p, -1, "absence", absence_id,
                             status == "registered", reported) for p in parts]
        closing = [(organisation, year_start + timedelta(days=d), "Studiedag", 1)
                   for d in range(20, 365, 45)]

        started = time.monotonic()
        async with conn.transaction():
            await conn.copy_records_to_table("directory_groups", records=group_rows, columns=[
                "group_id", "location_id", "name", "care_type", "organisation_id", "version", "deleted"])
            await conn.copy_records_to_table("group_capacity", records=capacity_rows, columns=[
                "group_id", "day_part_id", "organisation_id", "capacity", "version"])
            await conn.copy_records_to_table("directory_families", records=families, columns=[
                "family_id", "name", "organisation_id", "version", "deleted"])
            await conn.copy_records_to_table("directory_parents", records=parents, columns=[
                "account_id", "family_id", "name", "organisation_id", "version", "deleted"])
            await conn.copy_records_to_table("directory_children", records=kids, columns=[
                "child_id", "family_id", "first_name", "last_name", "organisation_id", "version", "deleted"])
            await conn.copy_records_to_table("directory_placements", records=placements, columns=[
                "placement_id", "child_id", "family_id", "group_id", "location_id", "care_type", "starts_on",
                "ends_on", "weekly_pattern", "organisation_id", "version", "deleted"])
            await conn.copy_records_to_table("requests", records=requests, columns=[
                "request_id", "organisation_id", "family_id", "kind", "all_or_nothing", "expires_on",
                "submitted_by", "submitted_role", "submitted_at", "decided_at"])
            await conn.copy_records_to_table("request_lines", records=lines, columns=[
                "line_id", "request_id", "position", "child_id", "group_id", "care_type", "starts_on", "ends_on",
                "dates", "day_part_ids", "minutes", "payment", "credit_id", "credit_amount", "price", "status",
                "reservation_status"])
            await conn.copy_records_to_table("absences", records=absences, columns=[
                "absence_id", "organisation_id", "family_id", "child_id", "group_id", "starts_on", "ends_on",
                "day_part_ids", "reason", "status", "reported_by", "reported_at"])
            await conn.copy_records_to_table("care_changes", records=changes, columns=[
                "change_id", "organisation_id", "child_id", "group_id", "date", "day_part_id", "delta",
                "source_kind", "source_id", "active", "created_at"])
            await conn.executemany("INSERT INTO closing_days (organisation_id, date, reason, version) "
                                   "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", closing)
        # VACUUM too: otherwise autovacuum visits these tables about a minute after the load, in the middle of
        # read_paths.py's big-data measurements (seen 55 s after it); a live organisation's tables are vacuumed.
        await conn.execute("VACUUM ANALYZE")
        counts = {"groups": len(group_rows), "families": len(families), "children": len(kids),
                  "requests": len(requests), "absences": len(absences), "care_changes": len(changes)}
        counts["seconds"] = round(time.monotonic() - started, 1)
        return counts
    finally:
        await conn.close()


@dataclass(frozen=True)
class BigChild:
    child_id: uuid.UUID
    family_id: uuid.UUID
    group_id: uuid.UUID
    location_id: uuid.UUID
    first_name: str
    weekdays: tuple[int, ...]  # the weekdays of its weekly pattern (0 = Monday)
    placement_id: uuid.UUID
    starts_on: date


@dataclass(frozen=True)
class Generated:
    """The generated part of the big organisation as planning's database has it: what the other services' loaders
    fill their tables around (their rows must name the same children, families, parents and groups)."""

    organisation_id: uuid.UUID
    children: list[BigChild]
    parents: dict[uuid.UUID, list[uuid.UUID]]  # family -> the parents' account ids
    group_names: dict[uuid.UUID, str]
    world: DemoWorld = TWIN_REGENBOOG  # whose De Regenboog it was added to (its staff post and write)


async def generated(dsn: str, world: DemoWorld = TWIN_REGENBOOG) -> Generated:
    """The generated children (not the twin's own families: their data stays the demo's) with their current group."""
    big_id = _big_ids(world)
    organisation = uuid.UUID(world.id("org:regenboog"))
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT c.child_id, c.family_id, c.first_name, p.group_id, p.location_id, p.weekly_pattern, "
            "p.placement_id, p.starts_on "
            "FROM directory_children c JOIN directory_placements p ON p.child_id = c.child_id "
            "WHERE c.organisation_id = $1 ORDER BY c.child_id", organisation)
        ours = {big_id(f"child:{n}") for n in range(len(rows))}
        children = [BigChild(r["child_id"], r["family_id"], r["group_id"], r["location_id"], r["first_name"],
                             tuple(slot["weekday"] for slot in json.loads(r["weekly_pattern"])),
                             r["placement_id"], r["starts_on"])
                    for r in rows if r["child_id"] in ours]
        parents: dict[uuid.UUID, list[uuid.UUID]] = {}
        for r in await conn.fetch("SELECT account_id, family_id FROM directory_parents WHERE organisation_id = $1 "
                                  "ORDER BY account_id", organisation):
            parents.setdefault(r["family_id"], []).append(r["account_id"])
        names = {r["group_id"]: r["name"] for r in await conn.fetch(
            "SELECT group_id, name FROM directory_groups WHERE organisation_id = $1", organisation)}
        families = {c.family_id for c in children}
        return Generated(organisation, children, {f: a for f, a in parents.items() if f in families}, names, world)
    finally:
        await conn.close()


def service_dsn(service: str) -> str:
    """The bench profile's database of a service (`planning`, `timeline`, ...), for asyncpg."""
    return asyncpg_dsn(LocalInfra(bench_profile()).endpoints.database_url(f"konnect_{service}"))


def sibling_dsn(dsn: str, service: str) -> str:
    """Another service's database on the same PostgreSQL as `dsn` (a loader reading what others loaded)."""
    return f"{dsn.rsplit('/', 1)[0]}/konnect_{service}"


def planning_dsn() -> str:
    return service_dsn("planning")


def load_everywhere(world: DemoWorld = TWIN_REGENBOOG) -> dict[str, dict[str, int]]:
    """The big organisation in every service's database a parent's reads touch: planning's rows first (the others
    name its children, families and groups), notifications last (it replays what identity, timeline and messaging
    hold through its handlers' rules, as its consumers would have over the year). Each load is idempotent: {} when
    it was there already."""
    import big_credits  # they import this module: imported here, not at its top
    import big_identity
    import big_messaging
    import big_notifications
    import big_timeline

    counts = {"planning": asyncio.run(load(planning_dsn(), world=world))}
    big = asyncio.run(generated(planning_dsn(), world))
    for service, loader in (("identity", big_identity.load), ("timeline", big_timeline.load),
                            ("credits", big_credits.load), ("messaging", big_messaging.load),
                            ("notifications", big_notifications.load)):
        counts[service] = asyncio.run(loader(service_dsn(service), big))
    return counts


async def _agenda_days_behind(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval("SELECT count(*) FROM agenda_families f LEFT JOIN agenda_organisations o "
                                   "ON o.organisation_id = f.organisation_id "
                                   "WHERE f.built <> f.changed OR f.built_organisation <> coalesce(o.changed, 0)")
    finally:
        await conn.close()


async def _feed_items_behind(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval("SELECT count(*) FROM feed_stale")
    finally:
        await conn.close()


def await_feed_items(timeout: float = 600.0) -> float:
    """Seconds until timeline's feed builder has stored every marked family's items (the feeds' steady state)."""
    started = time.monotonic()
    while asyncio.run(_feed_items_behind(service_dsn("timeline"))):
        if time.monotonic() - started > timeout:
            raise SystemExit(f"the feed builder did not catch up in {timeout:.0f} s")
        time.sleep(1)
    return time.monotonic() - started


def await_agenda_days(timeout: float = 600.0) -> float:
    """Seconds until planning's agenda builder has stored every family's days again (loading the big organisation
    changes them all): a benchmark measures the steady state, not the screens computing while it catches up."""
    started = time.monotonic()
    while asyncio.run(_agenda_days_behind(planning_dsn())):
        if time.monotonic() - started > timeout:
            raise SystemExit(f"the agenda builder did not catch up in {timeout:.0f} s")
        time.sleep(1)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--groups", type=int, default=100)
    parser.add_argument("--into-demo", action="store_true",
                        help="planning's rows only, into the demo's own De Regenboog (to profile the demo logins)")
    args = parser.parse_args()
    if args.into_demo:
        print(asyncio.run(load(planning_dsn(), world=DEMO, children=args.children, groups=args.groups)))
        return
    # The running bench stack's twin, seeded like the demo (idempotent), then big in every service.
    from konnect_devstack.demo import Seeder
    from konnect_devstack.stack import GATEWAY, Stack

    profile = bench_profile()
    stack = Stack(profile, LocalInfra(profile).endpoints)
    Seeder(stack.url(GATEWAY), stack.infra.mailpit_api, TWIN_REGENBOOG).run()
    print(load_everywhere(TWIN_REGENBOOG))


if __name__ == "__main__":
    main()
