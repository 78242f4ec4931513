"""Benchmark: every authenticated parent read through the gateway, against a bare ASGI hello in the same run.

Demo data (Anne de Jong: Sem and Lotte). For each path: requests/s, p50, p99 and the ratio to the hello
baseline, measured by wrk with one uvicorn worker per process (a Python closed loop when wrk is missing,
which saturates early and flatters the ratios; the output says which ran). The gateway hop is measured
on its own too: the gateway's `/health` (no upstream) and a trivial authenticated upstream route
(timeline's status), so the cost of each layer shows.
Targets (issue 10): every parent read >= 0.10 x hello and p99 < 50 ms at 16 connections.

    .venv/bin/python bench/read_paths.py [--concurrency 16] [--seconds 5]
"""

import argparse
import shutil
from datetime import date, timedelta

import httpx
from gateway_me import HELLO_PORT, describe, fresh_demo_stack, measurer, start_hello_app
from konnect_devstack.demo import demo_id

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
        ("family feed (photos, diary)", "/api/v1/timeline/feed"),
        ("child timeline", f"/api/v1/timeline/children/{sem}/timeline"),
    ]
    return [(name, gateway + path) for name, path in reads]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000, help="per path, Python load only")
    args = parser.parse_args()
    generator = "wrk" if shutil.which("wrk") else "python"
    stack, gateway, tokens = fresh_demo_stack()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    reads = parent_reads(gateway)
    for name, url in reads:  # every path answers before it is measured
        response = httpx.get(url, headers=headers, timeout=30)
        assert response.status_code == 200, (name, response.status_code, response.text)
    measure = measurer(generator, args)
    hello_app = start_hello_app()
    results: list[tuple[str, tuple[float, float, float]]] = []
    try:
        hello = measure(f"http://127.0.0.1:{HELLO_PORT}/", {})
        results.append(("gateway /health (no upstream)", measure(f"{gateway}/health", {})))
        results.append(("gateway -> trivial upstream", measure(f"{gateway}/api/v1/timeline/status", headers)))
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
