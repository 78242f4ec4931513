"""Benchmark: events/s through the kit consumer (inbox + outbox relay on, empty handler) vs a bare aiokafka consumer.

Both consume the same N pre-produced events from the same real Kafka in the same run, alternating
rounds; the best round of each is compared. Target: kit rate >= 0.5 x bare rate.

    .venv/bin/python bench/kit_overhead.py [--events 20000] [--rounds 2]
"""

import argparse
import asyncio
import json
import time
import uuid

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from konnect_contracts.envelope import Envelope, kafka_headers
from konnect_contracts.events.platform import ProbeRecorded
from konnect_contracts.topics import dead_letter_topic
from konnect_devstack.infra import LocalInfra, new_database
from konnect_devstack.profiles import bench_profile
from konnect_devstack.stack import Stack
from konnect_kit.consumer import EventConsumer
from konnect_kit.db import Database
from konnect_kit.kafka import KafkaConnection, ensure_topics
from konnect_kit.outbox import Outbox, OutboxRelay
from konnect_kit.runtime import tune_gc
from konnect_kit.topics import topic_name

PARTITIONS = 3


async def produce(bootstrap: KafkaConnection, topic: str, n: int) -> None:
    producer = AIOKafkaProducer(**bootstrap.client_kwargs(), acks="all", linger_ms=20, max_batch_size=262144)
    await producer.start()
    org = uuid.uuid4()
    futures = []
    for i in range(n):
        envelope = Envelope.wrap(ProbeRecorded(probe_id=uuid.uuid4(), organisation_id=org, label=f"e{i}"),
                                 producer="bench", correlation_id="bench")
        futures.append(await producer.send(topic, envelope.to_bytes(), key=str(i % 64).encode(),
                                           headers=kafka_headers(envelope)))
    await asyncio.gather(*futures)
    await producer.stop()


async def bare_round(bootstrap: KafkaConnection, topic: str, n: int) -> float:
    """The baseline: decode every event's JSON, commit offsets per batch, no database."""
    consumer = AIOKafkaConsumer(topic, **bootstrap.client_kwargs(), group_id=f"bare-{uuid.uuid4().hex}",
                                enable_auto_commit=False, auto_offset_reset="earliest", max_poll_records=1000)
    started = time.perf_counter()  # both sides are timed from before the group join
    await consumer.start()
    seen = 0
    while seen < n:
        batches = await consumer.getmany(timeout_ms=200, max_records=1000)
        for records in batches.values():
            for record in records:
                json.loads(record.value)
            seen += len(records)
        if batches:
            await consumer.commit({tp: records[-1].offset + 1 for tp, records in batches.items()})
    elapsed = time.perf_counter() - started
    await consumer.stop()
    return n / elapsed


async def kit_round(bootstrap: KafkaConnection, prefix: str, n: int, database_url: str) -> float:
    database = Database(database_url)
    service = f"bench-{uuid.uuid4().hex[:8]}"  # a new consumer group (in the run's namespace) every round
    await ensure_topics(bootstrap, [(topic_name(dead_letter_topic(service), prefix), 1)])
    consumer = EventConsumer(database, Outbox(service), kafka=bootstrap, service=service, topic_prefix=prefix)

    async def empty_handler(ctx, event) -> None:  # type: ignore[no-untyped-def]
        return None

    consumer.on(ProbeRecorded, empty_handler)
    relay = OutboxRelay(database, bootstrap, client_id=service, topic_prefix=prefix)
    await relay.start()
    started = time.perf_counter()
    await consumer.start()
    while consumer.processed_total < n:  # noqa: ASYNC110 - polling a counter owned by the consumer task
        await asyncio.sleep(0.01)
    elapsed = time.perf_counter() - started
    await consumer.stop()
    await relay.stop()
    await database.dispose()
    return n / elapsed


async def main(events: int, rounds: int, infra: LocalInfra) -> float:
    bootstrap = infra.endpoints.kafka
    prefix = f"bench{uuid.uuid4().hex[:8]}."  # the run's own namespace: the probe topic holds only its events
    topic = topic_name(ProbeRecorded.TOPIC, prefix)
    await ensure_topics(bootstrap, [(topic, PARTITIONS)])
    await produce(bootstrap, topic, events)
    await bare_round(bootstrap, topic, events)  # warm-up: page cache and connections, not counted
    bare, kit = [], []
    for _ in range(rounds):  # alternate, so a noisy moment hurts both sides alike
        bare.append(await bare_round(bootstrap, topic, events))
        kit.append(await kit_round(bootstrap, prefix, events, await new_database(infra.endpoints, label="bench",
                                                                                 kit_tables=True)))
    best_bare, best_kit = max(bare), max(kit)
    ratio = best_kit / best_bare
    print(f"kit_overhead: {events} events x {rounds} rounds, {PARTITIONS} partitions")
    print(f"  bare aiokafka consumer : {best_bare:10.0f} events/s  (rounds: {', '.join(f'{r:.0f}' for r in bare)})")
    print(f"  kit consumer (inbox+outbox): {best_kit:6.0f} events/s  (rounds: {', '.join(f'{r:.0f}' for r in kit)})")
    print(f"  ratio kit/bare = {ratio:.2f}  (target >= 0.50: {'met' if ratio >= 0.5 else 'NOT met'})")
    return ratio


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    local = LocalInfra(bench_profile())
    Stack(bench_profile(), local.endpoints).down()  # services another bench left running: their pid files go
    local.down()
    local.wipe()  # a fresh broker and database for every run
    local.up()
    tune_gc()  # as every service process does at start-up (konnect_kit.service.serve); process-wide, so
    # the bare rounds run under the same collector settings
    asyncio.run(main(args.events, args.rounds, local))
