"""Benchmark: every authenticated parent read through the gateway, against a bare ASGI hello in the same run.

Two organisations of one stack: the demo's De Regenboog (a handful of children) and its twin (`TWIN_REGENBOOG`:
the same families and people under other ids and addresses) into which `big_organisation.py` adds 2,000 children
in 100 groups with a year of requests and absences, and `big_timeline.py` (and the other `big_*.py`) their year in
the other services' databases. Anne de Jong (Sem and Lotte) reads at the first, her twin at
the second: the same family, the same screens, an organisation 400 times the size. Each path is measured for both
alternately (demo, big, big, demo: drift over the path's 20 s cancels out), so big / demo compares like with like
on this machine, whose speed moves by tens of percent within minutes (--data picks one set only).

For each path: requests/s, p50, p99 and the ratio to the hello baseline, measured by wrk with one uvicorn worker
per process (a Python closed loop when wrk is missing, which saturates early and flatters the ratios; the output
says which ran). The gateway hop is measured on its own too: the gateway's `/health` (no upstream) and a trivial
authenticated upstream route (timeline's status), so the cost of each layer shows.
Messaging (issue 12): Anne's conversation list and one conversation of 200 messages (its newest page, and
all 200 at once) join the parent reads; the timeline's family feed (issue 11) and the notification inbox
(issue 13: the badge's unread count and the first page, filled by that conversation's messages) too.
With the big data, the family feed of the big organisation's family with the longest history (hundreds of photo
tags and diary entries; the demo and twin families have a handful) is measured too, as a parent who looks daily
reads it, and compared with the demo family's feed: a feed that grows with a family's history shows there. Its
first page is full (20 items) where the demo family's holds a handful, so it is measured once more at the demo
page's size (`?limit=` the demo's item count): like with like, what the history itself costs.
Targets (issue 10): every parent read >= 0.10 x hello and p99 < 50 ms at 16 connections, on both, and big not
slower than demo by more than 20%. Each path is first run for 2 s per organisation at the same concurrency, not
counted (steady state, as in production), and so are the hello and the layers before their first measurement.
The hello runs again after every few paths: a path's ratios are against the mean of the hellos just before and
after its block.

    .venv/bin/python bench/read_paths.py [--concurrency 16] [--seconds 5] [--data demo|big|both]

Ports: the bench profile's (KONNECT_BENCH_*_PORT and KONNECT_BENCH_HELLO_PORT move them).
"""

import argparse
import asyncio
import shutil
import uuid
from datetime import date, timedelta

import asyncpg
import httpx
from big_organisation import await_agenda_days, await_feed_items, load_everywhere, service_dsn
from gateway_me import HELLO_PORT, describe, fresh_demo_stack, measurer, start_hello_app
from konnect_devstack.demo import DEMO, DEMO_PASSWORD, REGENBOOG, TWIN_REGENBOOG, DemoWorld, Seeder
from konnect_devstack.demo_login import demo_token
from konnect_devstack.infra import LocalInfra
from konnect_devstack.profiles import bench_profile
from konnect_devstack.stack import GATEWAY, Stack

TARGET_RATIO, TARGET_P99_MS, TARGET_BIG_SLOWER = 0.10, 50.0, 0.20
WARM_UP_SECONDS = 2  # per path and organisation, before its measured runs
HELLO_EVERY = 4  # paths between two hellos


def next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7 or 7)


def login(gateway: str, world: DemoWorld, who: str = "anne.dejong@demo.konnect.nl") -> dict[str, str]:
    """Bearer headers of a demo login in `world` (the demo's own address is mapped to the world's)."""
    token = demo_token(gateway, world.email(who), DEMO_PASSWORD, world.organisation(REGENBOOG))
    return {"Authorization": f"Bearer {token}"}


def long_conversation(gateway: str, anne: dict[str, str], messages: int = 200, world: DemoWorld = DEMO) -> str:
    """Anne and Sanne exchange `messages` messages about Sem (set up once; keys make it idempotent)."""
    sanne = login(gateway, world, "sanne.bakker@demo.konnect.nl")
    started = httpx.post(f"{gateway}/api/v1/conversations", timeout=30,
                         headers={**anne, "Idempotency-Key": "bench-200"},
                         json={"child_id": world.id("child:sem"), "subject": "Lang gesprek", "text": "bericht 1"})
    assert started.status_code == 201, started.text
    conversation = started.json()["conversation_id"]
    with httpx.Client(base_url=gateway, timeout=30) as client:
        for n in range(2, messages + 1):
            writer = anne if n % 2 else sanne
            r = client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": f"bericht {n} " + "x" * 80},
                            headers={**writer, "Idempotency-Key": f"bench-200-{n}"})
            assert r.status_code == 201, r.text
    return conversation


def parent_reads(gateway: str, conversation: str, world: DemoWorld = DEMO) -> list[tuple[str, str]]:
    """(name, URL) of every read a parent's app makes, on Anne's family (in `world`)."""
    sem, lotte = world.id("child:sem"), world.id("child:lotte")
    monday = next_weekday(date.today(), 0)
    wednesday = monday + timedelta(days=2)
    reads = [
        ("/me", "/api/v1/me"),
        ("agenda, 4 weeks", f"/api/v1/agenda?from={monday}&to={monday + timedelta(days=27)}"),
        ("day detail", f"/api/v1/agenda/{sem}/{monday}"),
        ("availability", f"/api/v1/availability/{sem}/{wednesday}"),
        ("request overview", "/api/v1/requests"),
        ("credits with history", f"/api/v1/children/{sem}/credits"),
        ("credits (points)", f"/api/v1/children/{lotte}/credits"),
        ("family feed (photos, diary)", "/api/v1/timeline/feed"),
        ("child timeline", f"/api/v1/timeline/children/{sem}/timeline"),
        ("conversation list", "/api/v1/conversations"),
        ("conversation of 200, newest 50", f"/api/v1/conversations/{conversation}"),
        ("conversation of 200, all", f"/api/v1/conversations/{conversation}?limit=200"),
        ("inbox unread count (badge)", "/api/v1/inbox/unread-count"),
        ("inbox, first page", "/api/v1/inbox"),
    ]
    return [(name, gateway + path) for name, path in reads]


async def _longest_history(world: DemoWorld) -> str:
    """The e-mail of a parent of `world`'s De Regenboog whose family has the most photo tags (a year of photos)."""
    timeline = await asyncpg.connect(service_dsn("timeline"))
    try:
        account = await timeline.fetchval(
            "SELECT p.account_id FROM photo_tags t JOIN loc_parents p ON p.family_id = t.family_id AND NOT p.deleted"
            " WHERE t.organisation_id = $1 GROUP BY p.account_id ORDER BY count(*) DESC, p.account_id LIMIT 1",
            uuid.UUID(world.organisation(REGENBOOG)))
    finally:
        await timeline.close()
    identity = await asyncpg.connect(service_dsn("identity"))
    try:
        return await identity.fetchval("SELECT email FROM accounts WHERE account_id = $1", account)
    finally:
        await identity.close()


def history_feed(gateway: str, world: DemoWorld) -> tuple[str, dict[str, str]]:
    """The family feed of the big organisation's family with the longest history (hundreds of photo tags and
    diary entries, where the demo and twin families have a handful), as a parent who looks daily reads it: the
    feed marked seen first. (URL, headers.) A feed that grows with the family's history shows here, and not in
    the demo and twin families' young feeds (PROFILE-read-paths.md, round 15)."""
    email = asyncio.run(_longest_history(world))
    headers = {"Authorization": f"Bearer {demo_token(gateway, email, DEMO_PASSWORD, world.organisation(REGENBOOG))}"}
    assert httpx.put(f"{gateway}/api/v1/timeline/feed/seen", headers=headers, timeout=30).status_code == 200
    return f"{gateway}/api/v1/timeline/feed", headers


def running_demo_stack() -> tuple[Stack, str, dict]:
    profile = bench_profile()
    stack = Stack(profile, LocalInfra(profile).endpoints)
    gateway = stack.url(GATEWAY)
    tokens = httpx.post(f"{gateway}/api/v1/auth/login", timeout=30, headers={"X-Forwarded-For": str(uuid.uuid4())},
                        json={"email": "anne.dejong@demo.konnect.nl", "password": DEMO_PASSWORD,
                              "organisation_id": REGENBOOG}).json()
    return stack, gateway, tokens


Measured = tuple[float, float, float]  # req/s, p50 ms, p99 ms


def combined(runs: list[Measured]) -> Measured:
    """Several runs of one path: mean rate and p50, the worst p99."""
    return (sum(r[0] for r in runs) / len(runs), sum(r[1] for r in runs) / len(runs), max(r[2] for r in runs))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000, help="per path, Python load only")
    parser.add_argument("--data", choices=["demo", "big", "both"], default="both")
    parser.add_argument("--running", action="store_true",
                        help="measure the bench stack already running (`konnect_devstack up --profile bench`), "
                             "leave it running (for profiling)")
    args = parser.parse_args()
    generator = "wrk" if shutil.which("wrk") else "python"
    stack, gateway, _ = running_demo_stack() if args.running else fresh_demo_stack()
    worlds = {"demo": DEMO, "big": TWIN_REGENBOOG}
    sets = [data for data in worlds if args.data in (data, "both")]
    if "big" in sets:
        # The twin is seeded like the demo (the same API calls), then made big; the demo is seeded already.
        Seeder(gateway, stack.infra.mailpit_api, TWIN_REGENBOOG).run()
        print("big organisation:", load_everywhere(TWIN_REGENBOOG))
    headers = {data: login(gateway, worlds[data]) for data in sets}
    reads = {data: parent_reads(gateway, long_conversation(gateway, headers[data], world=worlds[data]), worlds[data])
             for data in sets}
    history = history_feed(gateway, TWIN_REGENBOOG) if "big" in sets else None
    history_small = None
    if history is not None and "demo" in sets:  # the same feed at the demo page's size
        feed_url = dict(reads["demo"])["family feed (photos, diary)"]
        shown = len(httpx.get(feed_url, headers=headers["demo"], timeout=30).json()["items"])
        history_small = (f"{history[0]}?limit={max(shown, 1)}", history[1])
    print(f"agenda read model caught up in {await_agenda_days():.0f} s, "
          f"feed read model in {await_feed_items():.0f} s")
    for data in sets:  # every path answers before it is measured
        for name, url in reads[data]:
            response = httpx.get(url, headers=headers[data], timeout=30)
            assert response.status_code == 200, (data, name, response.status_code, response.text)
    measure = measurer(generator, args)
    warm_up = measurer(generator, argparse.Namespace(**{**vars(args), "seconds": WARM_UP_SECONDS,
                                                        "requests": args.requests // 4}))
    hello_app = start_hello_app()
    # The hello is measured again every few paths: this machine's speed drifts within a run (the same read measured
    # 0.74 and 1.37 x itself minutes apart), so a path's ratios are against the hellos just before and after it.
    hellos: list[Measured] = []
    hello_url = f"http://127.0.0.1:{HELLO_PORT}/"
    first = sets[0]
    layer_urls = [("gateway /health (no upstream)", f"{gateway}/health", {}),
                  ("gateway -> trivial upstream", f"{gateway}/api/v1/timeline/status", headers[first])]
    # path index -> data set -> combined measurement; path index -> (hello before, hello after)
    results: list[dict[str, Measured]] = []
    baselines: list[tuple[int, int]] = []
    try:
        # Warmed like every path below: a process's first seconds under load are slower (read_paths21 measured a
        # fresh hello at 16,157 req/s, then 22,358-25,413 for the rest of the run).
        for url, url_headers in ((hello_url, {}), *((url, h) for _, url, h in layer_urls)):
            warm_up(url, url_headers)
        hellos.append(measure(hello_url, {}))
        layers = [(name, measure(url, url_headers)) for name, url, url_headers in layer_urls]
        for index in range(len(reads[first])):
            if index and index % HELLO_EVERY == 0:
                hellos.append(measure(hello_url, {}))
            urls = {data: reads[data][index][1] for data in sets}
            for data in sets:
                # Warm, at the measured concurrency, not counted: each process's read pool fills up to the load's
                # connections once (a new connection asks PostgreSQL for its types and prepares its statements),
                # which made the first path measured after a start show a p99 twice its steady one.
                warm_up(urls[data], headers[data])
            order = [*sets, *reversed(sets)]  # demo, big, big, demo
            runs: dict[str, list[Measured]] = {data: [] for data in sets}
            for data in order:
                runs[data].append(measure(urls[data], headers[data]))
            results.append({data: combined(measured) for data, measured in runs.items()})
            baselines.append((len(hellos) - 1, len(hellos)))
        hellos.append(measure(hello_url, {}))
        if history is not None:  # twice, as each path above, between two hellos
            warm_up(*history)
            history_measured = combined([measure(*history), measure(*history)])
            if history_small is not None:
                warm_up(*history_small)
                history_small_measured = combined([measure(*history_small), measure(*history_small)])
            hellos.append(measure(hello_url, {}))
    finally:
        hello_app.terminate()
        hello_app.wait()
        if not args.running:
            stack.down()
    print(f"read_paths: load by {generator}, {args.concurrency} connections, {args.seconds} s each run, "
          "one uvicorn worker per process; each path twice per organisation (demo, big, big, demo): mean req/s "
          "and p50, worst p99")
    print(describe("bare ASGI hello (first)", *hellos[0]) + "   hellos: " + ", ".join(f"{h[0]:,.0f}" for h in hellos))
    for name, (rate, p50, p99) in layers:
        print(describe(name, rate, p50, p99) + f"   ratio {rate / hellos[0][0]:5.3f}  layer")
    misses, slower = 0, []
    names = [name for name, _ in reads[first]]
    for data in sets:
        print(f"  -- {data} data: {'the demo' if data == 'demo' else 'the twin'} De Regenboog "
              f"({'a handful of children' if data == 'demo' else 'plus the big organisation'}) --")
        for name, measured, (before, after) in zip(names, results, baselines, strict=True):
            rate, p50, p99 = measured[data]
            ratio = rate / ((hellos[before][0] + hellos[after][0]) / 2)
            met = ratio >= TARGET_RATIO and p99 < TARGET_P99_MS
            misses += not met
            print(describe(name, rate, p50, p99) + f"   ratio {ratio:5.3f}  {'met' if met else 'NOT met'}")
    if history is not None:
        rate, p50, p99 = history_measured
        ratio = rate / ((hellos[-2][0] + hellos[-1][0]) / 2)
        met = ratio >= TARGET_RATIO and p99 < TARGET_P99_MS
        misses += not met
        print(describe("family feed, longest history", rate, p50, p99)
              + f"   ratio {ratio:5.3f}  {'met' if met else 'NOT met'}")
        if history_small is not None:
            rate, p50, p99 = history_small_measured
            ratio = rate / ((hellos[-2][0] + hellos[-1][0]) / 2)
            met = ratio >= TARGET_RATIO and p99 < TARGET_P99_MS
            misses += not met
            print(describe(f"  the same, {history_small[0].rpartition('=')[2]} items", rate, p50, p99)
                  + f"   ratio {ratio:5.3f}  {'met' if met else 'NOT met'}")
    if len(sets) == 2:
        shares = [(name, measured["big"][0] / measured["demo"][0]) for name, measured in zip(names, results,
                                                                                            strict=True)]
        if history is not None:  # against the demo family's young feed
            feed = names.index("family feed (photos, diary)")
            shares.append(("family feed, longest history", history_measured[0] / results[feed]["demo"][0]))
            if history_small is not None:  # like with like: as many items as the demo family's page
                shares.append(("the same at the demo page's size", history_small_measured[0]
                               / results[feed]["demo"][0]))
        slower = [name for name, share in shares if share < 1 - TARGET_BIG_SLOWER]
        print("  big / demo req/s, path by path: " + ", ".join(f"{name} {share:.2f}" for name, share in shares))
        print(f"  target: big not slower than demo by more than {TARGET_BIG_SLOWER:.0%}: "
              f"{'met' if not slower else 'NOT met on ' + ', '.join(slower)}")
    print(f"  target: every parent read >= {TARGET_RATIO:.2f} x hello and p99 < {TARGET_P99_MS:.0f} ms: "
          f"{'met' if not misses else f'NOT met on {misses} measurement(s)'}")


if __name__ == "__main__":
    main()
