"""Benchmark: authenticated GET /api/v1/me through the gateway vs a bare ASGI hello endpoint, same load, same run.

Both are uvicorn with one worker; the same load generator measures requests/s and p50/p99 latency:
wrk (Debian package; `make bench` installs it) when present, else a Python closed loop, which saturates
before a bare endpoint does and so flatters the ratio (the output says which one ran).
Target: /me reaches at least 30% of the hello endpoint's rate.

The gateway keeps no answers (issue 9): every call goes on to identity and PostgreSQL, so this measures
the whole read path (token check at the edge, forwarding, identity's query).

    .venv/bin/python bench/gateway_me.py [--requests 3000] [--concurrency 16] [--seconds 10] [--loader auto]
"""

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from functools import partial
from pathlib import Path

import httpx
from konnect_devstack.demo import DEMO_PASSWORD, REGENBOOG, Seeder, demo_id
from konnect_devstack.infra import LocalInfra
from konnect_devstack.processes import port_open, wait_until
from konnect_devstack.profiles import bench_profile
from konnect_devstack.stack import GATEWAY, Stack

HELLO_PORT = int(os.environ.get("KONNECT_BENCH_HELLO_PORT", "28999"))


async def load(url: str, headers: dict[str, str], requests: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    remaining = requests
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers=headers, limits=limits, timeout=30) as client:
        async def worker() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text

        for _ in range(50):  # warm-up: connections, caches
            await client.get(url)
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return requests / elapsed, latencies


def wrk(url: str, headers: dict[str, str], *, concurrency: int, seconds: int) -> tuple[float, float, float]:
    """requests/s, p50 ms, p99 ms as wrk measures them."""
    argv = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--latency", url]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    assert "Non-2xx" not in out, out

    def millis(label: str) -> float:
        value = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert value, out
        return float(value.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[value.group(2)]

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return rate, millis("50%"), millis("99%")


def describe(name: str, rate: float, p50: float, p99: float) -> str:
    return f"  {name:28} {rate:8.0f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms"


def python_load(url: str, headers: dict[str, str], *, requests: int, concurrency: int) -> tuple[float, float, float]:
    rate, latencies = asyncio.run(load(url, headers, requests, concurrency))
    q = statistics.quantiles(latencies, n=100)
    return rate, q[49] * 1000, q[98] * 1000


def fresh_demo_stack() -> tuple[Stack, str, dict]:
    """The bench profile from empty databases and topics (like a new deployment), demo seeded; Anne's tokens."""
    profile = bench_profile()
    infra = LocalInfra(profile)
    Stack(profile, infra.endpoints).down()
    infra.down()
    infra.wipe()
    stack = Stack(profile, infra.up())
    stack.up()
    gateway = stack.url(GATEWAY)
    Seeder(gateway, infra.endpoints.mailpit_api).run()  # demo parents with password konnect-demo
    tokens = httpx.post(f"{gateway}/api/v1/auth/login", timeout=30, headers={"X-Forwarded-For": str(uuid.uuid4())},
                        json={"email": "anne.dejong@demo.konnect.nl", "password": DEMO_PASSWORD,
                              "organisation_id": REGENBOOG}).json()
    return stack, gateway, tokens


def start_hello_app() -> subprocess.Popen:
    """The baseline: a bare ASGI hello endpoint under the same uvicorn (stop it with terminate())."""
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "hello_app:app", "--port", str(HELLO_PORT),
                                "--log-level", "warning", "--no-access-log"], cwd=Path(__file__).parent)
    wait_until(lambda: port_open(HELLO_PORT), timeout=30, what="hello app")
    return process


def measurer(generator: str, args: argparse.Namespace) -> Callable[[str, dict[str, str]], tuple[float, float, float]]:
    if generator == "wrk":
        return partial(wrk, concurrency=args.concurrency, seconds=args.seconds)
    return partial(python_load, requests=args.requests, concurrency=args.concurrency)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--loader", choices=["auto", "wrk", "python"], default="auto",
                        help="auto: wrk when installed (compare runs made with the same loader only)")
    args = parser.parse_args()
    generator = args.loader if args.loader != "auto" else ("wrk" if shutil.which("wrk") else "python")
    stack, gateway, tokens = fresh_demo_stack()
    me_headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = httpx.get(f"{gateway}/api/v1/me", headers=me_headers, timeout=30).json()
    assert {c["child_id"] for c in me["children"]} == {demo_id("child:sem"), demo_id("child:lotte")}

    hello_app = start_hello_app()
    measure = measurer(generator, args)
    try:
        hello = measure(f"http://127.0.0.1:{HELLO_PORT}/", {})
        me = measure(f"{gateway}/api/v1/me", me_headers)
    finally:
        hello_app.terminate()
        hello_app.wait()
        stack.down()
    ratio = me[0] / hello[0]
    print(f"gateway_me: load by {generator}, {args.concurrency} connections, one uvicorn worker each")
    print(describe("bare ASGI hello", *hello))
    print(describe("GET /api/v1/me via gateway", *me))
    print(f"  ratio me/hello = {ratio:.2f}  (target >= 0.30: {'met' if ratio >= 0.3 else 'NOT met'})")


if __name__ == "__main__":
    main()
