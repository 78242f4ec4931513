"""Benchmark: how many live inbox streams one gateway instance holds, with a new item reaching all within 1 s.

Steps of N idle Server-Sent-Event streams (Anne's app open on N devices) through the gateway to notifications;
once all are connected, the memory each process grew by per stream is printed; then Sanne (staff) writes Anne a
message and the time until every stream has the new inbox item is measured. The same steps run first against a
bare ASGI event stream under the same uvicorn (sse_hello_app.py), the baseline measured in the same run: the
ratios say what the gateway + notifications chain costs per stream and per fan-out. The fan-out is timed from the
moment the first stream has the item (before that: the write path through messaging, Kafka and the inbox), and
printed too. Escalation stops at the first step where not every stream connected or not every stream had the
item within 1 s of the first.
Target (issue 13): >= 5,000 idle connections per gateway instance, every one reached within 1 s.

    .venv/bin/python bench/inbox_live.py [--steps 100,1000,2500,5000] [--running]

Ports: the bench profile's (KONNECT_BENCH_*_PORT; KONNECT_BENCH_SSE_HELLO_PORT moves the baseline).
"""

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import httpx
from gateway_me import fresh_demo_stack
from konnect_devstack.demo import DEMO_PASSWORD, demo_id
from konnect_devstack.processes import port_open, wait_until
from konnect_devstack.stack import DOMAIN_SERVICES, GATEWAY, Stack
from read_paths import running_demo_stack

SSE_HELLO_PORT = int(os.environ.get("KONNECT_BENCH_SSE_HELLO_PORT", "28998"))
TARGET_CONNECTIONS, DEADLINE_SECONDS = 5000, 1.0
CONNECT_TIMEOUT_SECONDS = 60.0


def rss_kib(pid: int) -> int:
    """Resident memory of a process and its children (KiB)."""
    total = 0
    with open(f"/proc/{pid}/status") as status:
        total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += rss_kib(int(child))
    return total


@dataclass
class Step:
    streams: int
    connected: int
    connect_seconds: float
    kib_per_stream: dict[str, float]
    first_seconds: float  # publish → the first stream has the item (the write path: Kafka, consumer, inbox)
    spread_seconds: float  # the first stream has it → the last one has it (the fan-out itself)
    reached_in_deadline: int  # streams that had it within the deadline of the first one


class Streams:
    """N event streams read by one client process; each notes when its first `item` after `armed` arrives."""

    def __init__(self, n: int, url: str, headers: dict[str, str]) -> None:
        self.n, self.url, self.headers = n, url, {**headers, "Accept": "text/event-stream"}
        self.connected = 0
        self.armed_at: float | None = None
        self.arrivals: list[float] = []
        self.all_connected, self.all_arrived = asyncio.Event(), asyncio.Event()

    async def one(self, session: aiohttp.ClientSession) -> None:
        async with session.get(self.url, headers=self.headers) as response:
            if response.status != 200:
                return
            counted, seen_item = False, False
            async for line in response.content:
                if line.startswith(b"event: unread") and not counted:
                    counted = True
                    self.connected += 1
                    if self.connected == self.n:
                        self.all_connected.set()
                elif line.startswith(b"event: item") and self.armed_at is not None and not seen_item:
                    seen_item = True
                    self.arrivals.append(time.monotonic() - self.armed_at)
                    if len(self.arrivals) == self.connected:
                        self.all_arrived.set()


async def measure(n: int, url: str, headers: dict[str, str], processes: dict[str, int],
                  publish: Callable[[], Awaitable[None]]) -> Step:
    streams = Streams(n, url, headers)
    before = {name: rss_kib(pid) for name, pid in processes.items()}
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=None)) as session:
        started = time.monotonic()
        tasks = [asyncio.create_task(streams.one(session)) for _ in range(n)]
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(streams.all_connected.wait(), CONNECT_TIMEOUT_SECONDS)
        connect_seconds = time.monotonic() - started
        await asyncio.sleep(1.0)  # let buffers and lazily built state settle before weighing
        grew = {name: (rss_kib(pid) - before[name]) / max(streams.connected, 1) for name, pid in processes.items()}
        streams.armed_at = time.monotonic()
        await publish()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(streams.all_arrived.wait(), 10)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    await asyncio.sleep(2.0)  # the servers notice the closed streams before the next step weighs them
    arrivals = sorted(streams.arrivals)
    if not arrivals:
        return Step(n, streams.connected, connect_seconds, grew, float("inf"), float("inf"), 0)
    first = arrivals[0]
    return Step(n, streams.connected, connect_seconds, grew, first, arrivals[-1] - first,
                sum(a - first <= DEADLINE_SECONDS for a in arrivals))


def describe(name: str, step: Step, baseline: Step | None) -> str:
    memory = ", ".join(f"{proc} {kib:6.1f} KiB/stream" for proc, kib in step.kib_per_stream.items())
    line = (f"  {name:<10} {step.streams:>6} streams: connected {step.connected:>6} in {step.connect_seconds:5.1f} s, "
            f"{memory}; first has the item after {step.first_seconds * 1000:6.0f} ms, "
            f"{step.reached_in_deadline:>6} within {DEADLINE_SECONDS:.0f} s of it (last after "
            f"{step.spread_seconds * 1000:6.0f} ms)")
    if baseline is not None and baseline.spread_seconds > 0:
        base_kib = sum(baseline.kib_per_stream.values()) or 1.0
        line += (f"   ratio vs baseline: memory {sum(step.kib_per_stream.values()) / base_kib:5.1f} x, "
                 f"fan-out {step.spread_seconds / baseline.spread_seconds:5.1f} x")
    return line


def start_sse_hello() -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "sse_hello_app:app", "--port", str(SSE_HELLO_PORT),
                                "--log-level", "warning", "--no-access-log"], cwd=Path(__file__).parent)
    wait_until(lambda: port_open(SSE_HELLO_PORT), timeout=30, what="sse hello app")
    return process


def conversation_with_sanne(gateway: str, anne: dict[str, str]) -> tuple[str, dict[str, str]]:
    sanne_tokens = httpx.post(f"{gateway}/api/v1/auth/login", timeout=30, headers={"X-Forwarded-For": "10.9.9.9"},
                              json={"email": "sanne.bakker@demo.konnect.nl", "password": DEMO_PASSWORD}).json()
    started = httpx.post(f"{gateway}/api/v1/conversations", timeout=30,
                         headers={**anne, "Idempotency-Key": f"bench-live-{uuid.uuid4()}"},
                         json={"child_id": demo_id("child:sem"), "subject": "Live", "text": "Hallo"})
    assert started.status_code == 201, started.text
    return started.json()["conversation_id"], {"Authorization": f"Bearer {sanne_tokens['access_token']}"}


async def run(args: argparse.Namespace, stack: Stack, gateway: str, anne: dict[str, str]) -> None:
    conversation, sanne = conversation_with_sanne(gateway, anne)
    notifications = next(s for s in DOMAIN_SERVICES if s.name == "notifications")
    chain = {"gateway": stack.process(GATEWAY).pid, "notifications": stack.process(notifications).pid}
    assert all(chain.values()), chain
    hello = start_sse_hello()
    hello_url = f"http://127.0.0.1:{SSE_HELLO_PORT}/"

    async def publish_hello() -> None:
        async with aiohttp.ClientSession() as client:
            await client.post(hello_url)

    async def publish_message() -> None:
        async with aiohttp.ClientSession() as client:
            r = await client.post(f"{gateway}/api/v1/conversations/{conversation}/messages", json={"text": "Nieuw"},
                                  headers={**sanne, "Idempotency-Key": f"bench-live-{uuid.uuid4()}"})
            assert r.status == 201, await r.text()

    print(f"inbox_live: one client process, N idle streams of one parent; an item must reach all within "
          f"{DEADLINE_SECONDS:.0f} s")
    best = 0
    try:
        for n in args.steps:
            base = await measure(n, hello_url, {}, {"hello": hello.pid}, publish_hello)
            print(describe("baseline", base, None), flush=True)
            step = await measure(n, f"{gateway}/api/v1/inbox/stream", anne, chain, publish_message)
            print(describe("gateway", step, base), flush=True)
            if step.connected < n or step.reached_in_deadline < n:
                break
            best = n
    finally:
        hello.terminate()
        hello.wait()
    met = best >= TARGET_CONNECTIONS
    print(f"  one gateway instance held {best} streams with every one reached within {DEADLINE_SECONDS:.0f} s; "
          f"target >= {TARGET_CONNECTIONS}: {'met' if met else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=lambda s: [int(x) for x in s.split(",")], default=[100, 1000, 2500, 5000])
    parser.add_argument("--running", action="store_true", help="measure the bench stack already running")
    args = parser.parse_args()
    stack, gateway, tokens = running_demo_stack() if args.running else fresh_demo_stack()
    anne = {"Authorization": f"Bearer {tokens['access_token']}"}
    try:
        asyncio.run(run(args, stack, gateway, anne))
    finally:
        if not args.running:
            stack.down()


if __name__ == "__main__":
    main()
