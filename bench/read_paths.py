"""Benchmark: every authenticated parent read through the gateway, against a bare ASGI hello in the same run.

Demo data (Anne de Jong: Sem and Lotte), then the same reads again after `big_organisation.py` added 2,000
children in 100 groups with a year of requests and absences to her organisation (--data picks). For each
path: requests/s, p50, p99 and the ratio to the hello baseline, measured by wrk with one uvicorn worker per
process (a Python closed loop when wrk is missing, which saturates early and flatters the ratios; the output
says which ran). The gateway hop is measured
on its own too: the gateway's `/health` (no upstream) and a trivial authenticated upstream route
(timeline's status), so the cost of each layer shows.
Messaging (issue 12): Anne's conversation list and one conversation of 200 messages (its newest page, and
all 200 at once) join the parent reads; the timeline's family feed (issue 11) and the notification inbox
(issue 13: the badge's unread count and the first page, filled by that conversation's messages) too.
Targets (issue 10): every parent read >= 0.10 x hello and p99 < 50 ms at 16 connections. Each data set's
paths are first run for 2 s each at the same concurrency, not counted (steady state, as in production), and so
are the hello and the layers before their first measurement. The hello runs again after each data set (and
before the big one): a set's ratios are against the mean of the hellos just before and after it (the layers'
against the first), and big/demo is printed both as measured and against each set's own hellos.

    .venv/bin/python bench/read_paths.py [--concurrency 16] [--seconds 5] [--data demo|big|both]

Ports: the bench profile's (KONNECT_BENCH_*_PORT and KONNECT_BENCH_HELLO_PORT move them).
"""

import argparse
import asyncio
import shutil
import uuid
from datetime import date, timedelta

import httpx
from big_organisation import is_loaded as big_organisation_loaded
from big_organisation import load as load_big_organisation
from big_organisation import planning_dsn
from gateway_me import HELLO_PORT, describe, fresh_demo_stack, measurer, start_hello_app
from konnect_devstack.demo import DEMO_PASSWORD, REGENBOOG, demo_id
from konnect_devstack.infra import LocalInfra
from konnect_devstack.profiles import bench_profile
from konnect_devstack.stack import GATEWAY, Stack

TARGET_RATIO, TARGET_P99_MS = 0.10, 50.0
WARM_UP_SECONDS = 2  # per path, before its measured run


def next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7 or 7)


def long_conversation(gateway: str, anne: dict[str, str], messages: int = 200) -> str:
    """Anne and Sanne exchange `messages` messages about Sem (set up once; keys make it idempotent)."""
    sanne_tokens = httpx.post(f"{gateway}/api/v1/auth/login", timeout=30, json={
        "email": "sanne.bakker@demo.konnect.nl", "password": DEMO_PASSWORD}).json()
    sanne = {"Authorization": f"Bearer {sanne_tokens['access_token']}"}
    started = httpx.post(f"{gateway}/api/v1/conversations", timeout=30,
                         headers={**anne, "Idempotency-Key": "bench-200"},
                         json={"child_id": demo_id("child:sem"), "subject": "Lang gesprek", "text": "bericht 1"})
    assert started.status_code == 201, started.text
    conversation = started.json()["conversation_id"]
    with httpx.Client(base_url=gateway, timeout=30) as client:
        for n in range(2, messages + 1):
            writer = anne if n % 2 else sanne
            r = client.post(f"/api/v1/conversations/{conversation}/messages", json={"text": f"bericht {n} " + "x" * 80},
                            headers={**writer, "Idempotency-Key": f"bench-200-{n}"})
            assert r.status_code == 201, r.text
    return conversation


def parent_reads(gateway: str, conversation: str) -> list[tuple[str, str]]:
    """(name, URL) of every read a parent's app makes, on Anne's family."""
    sem, lotte = demo_id("child:sem"), demo_id("child:lotte")
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


def running_demo_stack() -> tuple[Stack, str, dict]:
    profile = bench_profile()
    stack = Stack(profile, LocalInfra(profile).endpoints)
    gateway = stack.url(GATEWAY)
    tokens = httpx.post(f"{gateway}/api/v1/auth/login", timeout=30, headers={"X-Forwarded-For": str(uuid.uuid4())},
                        json={"email": "anne.dejong@demo.konnect.nl", "password": DEMO_PASSWORD,
                              "organisation_id": REGENBOOG}).json()
    return stack, gateway, tokens


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
    stack, gateway, tokens = running_demo_stack() if args.running else fresh_demo_stack()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    reads = parent_reads(gateway, long_conversation(gateway, headers))
    measure = measurer(generator, args)
    warm_up = measurer(generator, argparse.Namespace(**{**vars(args), "seconds": WARM_UP_SECONDS,
                                                        "requests": args.requests // 4}))
    hello_app = start_hello_app()
    results: dict[str, list[tuple[str, tuple[float, float, float]]]] = {}
    # The hello is measured again between the data sets and at the end: this machine's speed drifts within a run
    # (the same read measured 0.74 and 1.37 x itself minutes apart), so each set's ratios are taken against the
    # hellos measured just before and just after it (their mean).
    hellos: list[tuple[float, float, float]] = []
    hello_url = f"http://127.0.0.1:{HELLO_PORT}/"
    layer_urls = [("gateway /health (no upstream)", f"{gateway}/health", {}),
                  ("gateway -> trivial upstream", f"{gateway}/api/v1/timeline/status", headers)]
    try:
        # Warmed like every path below: a process's first seconds under load are slower (read_paths21 measured a
        # fresh hello at 16,157 req/s, then 22,358-25,413 for the rest of the run).
        for url, url_headers in ((hello_url, {}), *((url, h) for _, url, h in layer_urls)):
            warm_up(url, url_headers)
        hellos.append(measure(hello_url, {}))
        layers = [(name, measure(url, url_headers)) for name, url, url_headers in layer_urls]
        baselines: dict[str, tuple[int, int]] = {}  # data set -> the hellos before and after it (indexes)
        for data in ("demo", "big"):
            if args.data not in (data, "both"):
                continue
            if data == "demo" and asyncio.run(big_organisation_loaded(planning_dsn())):
                # A --running stack from an earlier run: its "demo" figures would be big-data figures.
                print("demo data: not measured, the big data set is loaded already (start a fresh stack)")
                continue
            if data == "big":
                print("big organisation:", asyncio.run(load_big_organisation(planning_dsn())))
            for name, url in reads:  # every path answers before it is measured
                response = httpx.get(url, headers=headers, timeout=30)
                assert response.status_code == 200, (name, response.status_code, response.text)
            for _, url in reads:
                # Warm, at the measured concurrency, not counted: each process's read pool fills up to the load's
                # connections once (a new connection asks PostgreSQL for its types and prepares its statements),
                # which made the first path measured after a start show a p99 twice its steady one.
                warm_up(url, headers)
            if data == "big":
                hellos.append(measure(hello_url, {}))  # after loading and warming up
            before = len(hellos) - 1
            results[data] = [(name, measure(url, headers)) for name, url in reads]
            hellos.append(measure(hello_url, {}))
            baselines[data] = (before, len(hellos) - 1)
    finally:
        hello_app.terminate()
        hello_app.wait()
        if not args.running:
            stack.down()
    print(f"read_paths: load by {generator}, {args.concurrency} connections, {args.seconds} s each, "
          "one uvicorn worker per process")
    hello = hellos[0]
    print(describe("bare ASGI hello", *hello))
    for name, (rate, p50, p99) in layers:
        print(describe(name, rate, p50, p99) + f"   ratio {rate / hello[0]:5.3f}  layer")
    misses = 0
    ratios: dict[str, list[float]] = {}
    for data, measured in results.items():
        first, last = baselines[data]
        baseline = (hellos[first][0] + hellos[last][0]) / 2
        print(f"  -- {data} data (ratios against the hello before and after it: {hellos[first][0]:,.0f} and "
              f"{hellos[last][0]:,.0f} req/s) --")
        for name, (rate, p50, p99) in measured:
            ratio = rate / baseline
            ratios.setdefault(data, []).append(ratio)
            met = ratio >= TARGET_RATIO and p99 < TARGET_P99_MS
            misses += not met
            print(describe(name, rate, p50, p99) + f"   ratio {ratio:5.3f}  {'met' if met else 'NOT met'}")
    if "demo" in results and "big" in results:
        names = [name for name, _ in results["demo"]]
        raw = [big[0] / demo[0] for (_, demo), (_, big) in zip(results["demo"], results["big"], strict=True)]
        print("  big / demo req/s: " + ", ".join(f"{name} {share:.2f}" for name, share in zip(names, raw, strict=True)))
        print("  big / demo, each against its own hellos: " + ", ".join(
            f"{name} {big / demo:.2f}" for name, demo, big in zip(names, ratios["demo"], ratios["big"], strict=True)))
    print(f"  target: every parent read >= {TARGET_RATIO:.2f} x hello and p99 < {TARGET_P99_MS:.0f} ms: "
          f"{'met' if not misses else f'NOT met on {misses} measurement(s)'}")


if __name__ == "__main__":
    main()
