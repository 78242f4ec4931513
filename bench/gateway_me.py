"""Benchmark: authenticated GET /api/v1/me through the gateway vs a bare ASGI hello endpoint, same load, same run.

Both are uvicorn with one worker; the same closed-loop load generator (C concurrent clients, N requests)
measures requests/s and p50/p99 latency. Target: /me reaches at least 30% of the hello endpoint's rate.

    .venv/bin/python bench/gateway_me.py [--requests 3000] [--concurrency 16]
"""

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from konnect_devstack.demo import DEMO_PASSWORD, REGENBOOG, Seeder, demo_id
from konnect_devstack.infra import LocalInfra
from konnect_devstack.processes import port_open, wait_until
from konnect_devstack.profiles import bench_profile
from konnect_devstack.stack import GATEWAY, Stack

HELLO_PORT = 28999


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


def describe(name: str, rate: float, latencies: list[float]) -> str:
    q = statistics.quantiles(latencies, n=100)
    return f"  {name:28} {rate:8.0f} req/s   p50 {q[49] * 1000:6.1f} ms   p99 {q[98] * 1000:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    profile = bench_profile()
    infra = LocalInfra(profile)
    stack = Stack(profile, infra.up())
    stack.up()
    gateway = stack.url(GATEWAY)
    Seeder(gateway, infra.endpoints.mailpit_api).run()  # demo parents with password konnect-demo
    tokens = httpx.post(f"{gateway}/api/v1/auth/login", timeout=30, headers={"X-Forwarded-For": str(uuid.uuid4())},
                        json={"email": "anne.dejong@demo.konnect.nl", "password": DEMO_PASSWORD,
                              "organisation_id": REGENBOOG}).json()
    me_headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = httpx.get(f"{gateway}/api/v1/me", headers=me_headers, timeout=30).json()
    assert {c["child_id"] for c in me["children"]} == {demo_id("child:sem"), demo_id("child:lotte")}

    hello = subprocess.Popen([sys.executable, "-m", "uvicorn", "hello_app:app", "--port", str(HELLO_PORT),
                              "--log-level", "warning", "--no-access-log"], cwd=Path(__file__).parent)
    try:
        wait_until(lambda: port_open(HELLO_PORT), timeout=30, what="hello app")
        hello_rate, hello_lat = asyncio.run(load(f"http://127.0.0.1:{HELLO_PORT}/", {}, args.requests,
                                                 args.concurrency))
        me_rate, me_lat = asyncio.run(load(f"{gateway}/api/v1/me", me_headers, args.requests, args.concurrency))
    finally:
        hello.terminate()
        hello.wait()
        stack.down()
    ratio = me_rate / hello_rate
    print(f"gateway_me: {args.requests} requests, {args.concurrency} concurrent clients, one worker each")
    print(describe("bare ASGI hello", hello_rate, hello_lat))
    print(describe("GET /api/v1/me via gateway", me_rate, me_lat))
    print(f"  ratio me/hello = {ratio:.2f}  (target >= 0.30: {'met' if ratio >= 0.3 else 'NOT met'})")


if __name__ == "__main__":
    main()
