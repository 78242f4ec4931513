"""Helpers for kit tests: a topic namespace of the test's own, a consumer wired to a fresh database, a raw reader."""

import uuid
from uuid import UUID

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from konnect_contracts.envelope import Envelope, kafka_headers
from konnect_contracts.events.platform import ProbeRecorded
from konnect_contracts.topics import dead_letter_topic
from konnect_kit.consumer import EventConsumer, EventContext
from konnect_kit.db import Database
from konnect_kit.kafka import KafkaConnection, ensure_topics
from konnect_kit.outbox import Outbox
from konnect_kit.topics import topic_name
from sqlalchemy import text

ORG = UUID("00000000-0000-4000-8000-000000000001")
SERVICE = "kit-test"  # the consuming service of every kit test: each test's own topic prefix keeps them apart


def probe(label: str) -> ProbeRecorded:
    return ProbeRecorded(probe_id=uuid.uuid4(), organisation_id=ORG, label=label)


async def new_namespace(bootstrap: KafkaConnection) -> tuple[str, str]:
    """A topic prefix of the test's own with the probe topic and `SERVICE`'s dead-letter topic under it; returns
    (the probe topic's Kafka name, the prefix)."""
    prefix = f"k{uuid.uuid4().hex[:10]}."
    topic = topic_name(ProbeRecorded.TOPIC, prefix)
    await ensure_topics(bootstrap, [(topic, 3), (topic_name(dead_letter_topic(SERVICE), prefix), 1)])
    return topic, prefix


async def create_effects_table(db: Database) -> None:
    async with db.transaction() as s:
        await s.execute(text("CREATE TABLE effects (event_id uuid, label text)"))


async def record_effect(ctx: EventContext, event: ProbeRecorded) -> None:
    await ctx.session.execute(
        text("INSERT INTO effects (event_id, label) VALUES (:id, :label)"),
        {"id": ctx.envelope.event_id, "label": event.label},
    )


async def effects(db: Database) -> list[str]:
    async with db.transaction() as s:
        return [r[0] for r in await s.execute(text("SELECT label FROM effects ORDER BY label"))]


def make_consumer(db: Database, bootstrap: KafkaConnection, prefix: str, **kwargs: object) -> EventConsumer:
    options = {"max_attempts": 3, "backoff_initial": 0.05, "backoff_max": 0.2, **kwargs}
    return EventConsumer(db, Outbox(SERVICE), kafka=bootstrap, service=SERVICE, topic_prefix=prefix,
                         **options)  # type: ignore[arg-type]


async def produce_raw(bootstrap: KafkaConnection, topic: str, items: list[tuple[bytes, bytes, list]]) -> None:
    producer = AIOKafkaProducer(**bootstrap.client_kwargs(), acks="all")
    await producer.start()
    try:
        for key, value, headers in items:
            await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()


def raw(envelope: Envelope, key: str) -> tuple[bytes, bytes, list]:
    return key.encode(), envelope.to_bytes(), kafka_headers(envelope)


async def read_all(bootstrap: KafkaConnection, topic: str, *, expect: int, timeout_ms: int = 20000) -> list:
    consumer = AIOKafkaConsumer(topic, **bootstrap.client_kwargs(), auto_offset_reset="earliest",
                                enable_auto_commit=False, group_id=None)
    await consumer.start()
    records: list = []
    try:
        import time

        deadline = time.monotonic() + timeout_ms / 1000
        while len(records) < expect and time.monotonic() < deadline:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records
