"""Benchmark: extra-day request → ERP evaluation → RequestDecided → parent e-mail accepted by SMTP, p50/p99.

Every service, the example ERP client, Kafka, PostgreSQL and mailpit run as real processes (bench profile).
200 requests are submitted one after the other through the gateway; each is timed from the POST until
its decision mail is in mailpit. Baseline in the same run: a bare aiokafka produce → consume round trip.

    .venv/bin/python bench/request_saga.py [--requests 200]
"""

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from konnect_devstack.infra import LocalInfra
from konnect_devstack.profiles import bench_profile
from konnect_devstack.pytest_plugin import Mailpit
from konnect_devstack.stack import GATEWAY, Stack
from konnect_kit.kafka import KafkaConnection, ensure_topics

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))  # the e2e world builder
from planning_world import build_planning_world, erp_client, monday_in


def quantiles(samples: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(samples, n=100)
    return q[49] * 1000, q[98] * 1000


async def kafka_round_trips(bootstrap: KafkaConnection, count: int) -> list[float]:
    topic = f"bench.roundtrip.{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [(topic, 1)])
    consumer = AIOKafkaConsumer(topic, **bootstrap.client_kwargs(), group_id=f"rt-{uuid.uuid4().hex}",
                                auto_offset_reset="earliest")
    producer = AIOKafkaProducer(**bootstrap.client_kwargs(), acks="all", enable_idempotence=True)
    await consumer.start()
    await producer.start()
    samples = []
    try:
        for i in range(count + 10):  # the first ten warm the connections up and are not counted
            started = time.perf_counter()
            await producer.send_and_wait(topic, str(i).encode())
            record = await consumer.getone()
            assert record.value == str(i).encode()
            if i >= 10:
                samples.append(time.perf_counter() - started)
    finally:
        await producer.stop()
        await consumer.stop()
    return samples


async def decision_mails(mailpit: Mailpit, address: str) -> int:
    async with httpx.AsyncClient(timeout=10) as client:
        found = await client.get(f"{mailpit.api}/api/v1/search",
                                 params={"query": f'to:{address} subject:"beoordeeld"', "limit": 1})
        return int(found.json()["messages_count"])


async def saga_round_trips(gateway_url: str, mailpit: Mailpit, bootstrap: KafkaConnection, count: int) -> list[float]:
    async with httpx.AsyncClient(base_url=gateway_url, timeout=60) as gateway:
        w = await build_planning_world(gateway, mailpit)
        noor, morning, afternoon = w.children["noor"], w.parts["morning"], w.parts["afternoon"]
        # Wednesdays to Fridays (Noor is planned on Mondays and Tuesdays), mornings then afternoons.
        slots = [(monday_in(2) + timedelta(weeks=week, days=day), part)
                 for part in (morning, afternoon) for week in range(40) for day in (2, 3, 4)][:count]
        address = w.parents["eva"][1]
        samples = []
        async with erp_client(bootstrap, w.org):
            for n, (day, part) in enumerate(slots, start=1):
                started = time.perf_counter()
                r = await gateway.post("/api/v1/requests/extra-days", headers=w.as_parent("eva"), json={
                    "bookings": [{"starts_on": day.isoformat(), "children": [{"child_id": noor,
                                                                               "day_part_ids": [part]}]}]})
                assert r.status_code == 201, r.text
                while await decision_mails(mailpit, address) < n:  # noqa: ASYNC110 - mailpit has no push
                    await asyncio.sleep(0.005)
                samples.append(time.perf_counter() - started)
        return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    profile = bench_profile()
    infra = LocalInfra(profile)
    Stack(profile, infra.endpoints).down()
    infra.down()
    infra.wipe()  # every run starts from empty databases and topics, like a new deployment
    endpoints = infra.up()
    stack = Stack(profile, endpoints)
    stack.up()
    try:
        baseline = asyncio.run(kafka_round_trips(endpoints.kafka, args.requests))
        saga = asyncio.run(saga_round_trips(stack.url(GATEWAY), Mailpit(endpoints.mailpit_api),
                                            endpoints.kafka, args.requests))
    finally:
        stack.down()
    (b50, b99), (s50, s99) = quantiles(baseline), quantiles(saga)
    print(f"request_saga: {args.requests} requests, one after the other")
    print(f"  bare aiokafka produce->consume    p50 {b50:8.1f} ms   p99 {b99:8.1f} ms")
    print(f"  submitted->evaluated->mail sent   p50 {s50:8.1f} ms   p99 {s99:8.1f} ms")
    print(f"  ratio saga/round trip: p50 {s50 / b50:.1f}x, p99 {s99 / b99:.1f}x")


if __name__ == "__main__":
    main()
