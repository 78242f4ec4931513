"""Outbox and relay against real PostgreSQL and Kafka: nothing written is ever lost, even with Kafka down."""

import asyncio
import time

from kit_helpers import SERVICE, new_namespace, probe, read_all
from konnect_contracts.envelope import Envelope
from konnect_kit.correlation import correlation_id_var
from konnect_kit.db import Database
from konnect_kit.outbox import Outbox, OutboxRelay
from sqlalchemy import text


async def test_event_written_while_kafka_is_down_arrives_after_restart(private_kafka, fresh_database):
    bootstrap = private_kafka.connection
    topic, prefix = await new_namespace(bootstrap)
    db = Database(fresh_database)
    outbox = Outbox(SERVICE)
    relay = OutboxRelay(db, bootstrap, client_id=SERVICE, topic_prefix=prefix, poll_seconds=0.2)
    await relay.start()
    await private_kafka.stop()
    try:
        started = time.monotonic()
        async with db.transaction() as session:  # a write never waits for or fails on Kafka
            written = await outbox.publish(session, probe("while-down"))
        assert time.monotonic() - started < 2.0
        await asyncio.sleep(1.0)  # the relay tries, fails and keeps the row
        async with db.transaction() as session:
            pending = await session.scalar(text("SELECT count(*) FROM kit_outbox WHERE published_at IS NULL"))
        assert pending == 1
    finally:
        await private_kafka.start()
    records = await read_all(bootstrap, topic, expect=1, timeout_ms=60000)
    await relay.stop()
    await db.dispose()
    assert [Envelope.from_bytes(r.value).event_id for r in records] == [written.event_id]
    assert records[0].key == written.payload["probe_id"].encode()


async def test_relay_publishes_in_write_order_with_correlation_headers(infra, fresh_database):
    bootstrap = infra.endpoints.kafka
    topic, prefix = await new_namespace(bootstrap)
    db = Database(fresh_database)
    outbox = Outbox(SERVICE)
    event = probe("ordered")
    token = correlation_id_var.set("corr-outbox-test")
    try:
        async with db.transaction() as session:
            for i in range(20):
                # same key → same partition, so Kafka order must equal write order
                await outbox.publish(session, event.model_copy(update={"label": f"{i:02d}"}))
    finally:
        correlation_id_var.reset(token)
    relay = OutboxRelay(db, bootstrap, client_id=SERVICE, topic_prefix=prefix, poll_seconds=0.2)
    await relay.start()
    records = await read_all(bootstrap, topic, expect=20)
    await relay.stop()
    await db.dispose()
    labels = [Envelope.from_bytes(r.value).payload["label"] for r in records]
    assert labels == [f"{i:02d}" for i in range(20)]
    assert all(dict(r.headers)["correlation_id"] == b"corr-outbox-test" for r in records)
    assert all(Envelope.from_bytes(r.value).correlation_id == "corr-outbox-test" for r in records)


async def test_rolled_back_transaction_publishes_nothing(infra, fresh_database):
    bootstrap = infra.endpoints.kafka
    topic, prefix = await new_namespace(bootstrap)
    db = Database(fresh_database)
    outbox = Outbox(SERVICE)
    try:
        async with db.transaction() as session:
            await outbox.publish(session, probe("rolled-back"))
            raise RuntimeError("the state change failed")
    except RuntimeError:
        pass
    async with db.transaction() as session:
        await outbox.publish(session, probe("committed"))
    relay = OutboxRelay(db, bootstrap, client_id=SERVICE, topic_prefix=prefix, poll_seconds=0.2)
    await relay.start()
    records = await read_all(bootstrap, topic, expect=2, timeout_ms=5000)
    await relay.stop()
    await db.dispose()
    assert [Envelope.from_bytes(r.value).payload["label"] for r in records] == ["committed"]
