"""Benchmark: every authenticated parent read through the gateway, against a bare ASGI hello in the same run.

Demo data (Anne de Jong: Sem and Lotte). For each path: requests/s, p50, p99 and the ratio to the hello
baseline, measured by wrk with one uvicorn worker per process (a Python closed loop when wrk is missing,
which saturates early and flatters the ratios; the output says which ran). The gateway hop is measured
on its own too: the gateway's `/health` (no upstream) and, when the timeline offers one, a trivial
authenticated upstream route, so the cost of each layer shows.
Targets (issue 10): every parent read >= 0.10 x hello and p99 < 50 ms at 16 connections.

    .venv/bin/python bench/read_paths.py [--concurrency 16] [--seconds 5]
"""

import argparse
import subprocess
import sys
import uuid
from datetime import date, timedelta
from functools import partial
from pathlib import Path

import httpx
from gateway_me import HELLO_PORT, describe, python_load, wrk
from konnect_devstack.demo import DEMO_PASSWORD, REGENBOOG, Seeder, demo_id
from konnect_devstack.infra import LocalInfra
from konnect_devstack.processes import port_open, wait_until
from konnect_devstack.profiles import bench_profile
from konnect_devstack.stack import GATEWAY, Stack

TARGET_RATIO, TARGET_P99_MS = 0.10, 50.0


def next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7 or 7)


def parent_reads(gateway: str) -> list[tuple[str, str]]:
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
    ]
    return [(name, gateway + path) for name, path in reads]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000, help="per path, Python load only")
    args = parser.parse_args()
    generator = "wrk" if subprocess.run(["which", "wrk"], capture_output=True).returncode == 0 else "python"
    profile = bench_profile()
    infra = LocalInfra(profile)
    Stack(profile, infra.endpoints).down()
    infra.down()
    infra.wipe()  # every run starts from empty databases and topics, like a new deployment
    stack = Stack(profile, infra.up())
    stack.up()
    gateway = stack.url(GATEWAY)
    Seeder(gateway, infra.endpoints.mailpit_api).run()
    tokens = httpx.post(f"{gateway}/api/v1/auth/login", timeout=30, headers={"X-Forwarded-For": str(uuid.uuid4())},
                        json={"email": "anne.dejong@demo.konnect.nl", "password": DEMO_PASSWORD,
                              "organisation_id": REGENBOOG}).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    reads = parent_reads(gateway)
    for name, url in reads:  # every path answers before it is measured
        response = httpx.get(url, headers=headers, timeout=30)
        assert response.status_code == 200, (name, response.status_code, response.text)
    measure = partial(wrk, concurrency=args.concurrency, seconds=args.seconds) if generator == "wrk" else \
        partial(python_load, requests=args.requests, concurrency=args.concurrency)
    hello_app = subprocess.Popen([sys.executable, "-m", "uvicorn", "hello_app:app", "--port", str(HELLO_PORT),
                                  "--log-level", "warning", "--no-access-log"], cwd=Path(__file__).parent)
    results: list[tuple[str, tuple[float, float, float]]] = []
    try:
        wait_until(lambda: port_open(HELLO_PORT), timeout=30, what="hello app")
        hello = measure(f"http://127.0.0.1:{HELLO_PORT}/", {})
        results.append(("gateway /health (no upstream)", measure(f"{gateway}/health", {})))
        for name, url in reads:
            results.append((name, measure(url, headers)))
    finally:
        hello_app.terminate()
        hello_app.wait()
        stack.down()
    print(f"read_paths: load by {generator}, {args.concurrency} connections, {args.seconds} s each, "
          "one uvicorn worker per process, demo data")
    print(describe("bare ASGI hello", *hello))
    misses = 0
    for name, (rate, p50, p99) in results:
        ratio = rate / hello[0]
        parent_read = not name.startswith("gateway ")
        met = ratio >= TARGET_RATIO and p99 < TARGET_P99_MS
        misses += parent_read and not met
        verdict = ("met" if met else "NOT met") if parent_read else "layer"
        print(describe(name, rate, p50, p99) + f"   ratio {ratio:5.3f}  {verdict}")
    print(f"  target: every parent read >= {TARGET_RATIO:.2f} x hello and p99 < {TARGET_P99_MS:.0f} ms: "
          f"{'met' if not misses else f'NOT met on {misses} path(s)'}")


if __name__ == "__main__":
    main()
