"""Outbox and relay against real PostgreSQL and Kafka: nothing written is ever lost, even with Kafka down."""

import asyncio
import time

from kit_helpers import SERVICE, new_namespace, probe, read_all
from konnect_contracts.envelope import Envelope
from konnect_devstack.pytest_plugin import eventually
from konnect_kit.correlation import correlation_id_var
from konnect_kit.db import Database
from konnect_kit.kafka import ensure_topics
from konnect_kit.outbox import Outbox, OutboxRelay
from konnect_kit.topics import topic_name
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


async def test_an_event_and_its_copies_are_published_unchanged_each_to_its_topic(infra, fresh_database):
    bootstrap = infra.endpoints.kafka
    topic, prefix = await new_namespace(bootstrap)
    copies = ["erp.kit-a.requests.v1", "erp.kit-b.requests.v1"]
    await ensure_topics(bootstrap, [(topic_name(name, prefix), 1) for name in copies])
    db = Database(fresh_database)
    async with db.transaction() as session:
        written = await Outbox(SERVICE).publish(session, probe("copied"),
                                                copies=[(name, "erp-key") for name in copies])
    relay = OutboxRelay(db, bootstrap, client_id=SERVICE, topic_prefix=prefix, poll_seconds=0.2)
    await relay.start()
    try:
        [own] = await read_all(bootstrap, topic, expect=1)
        found = [await read_all(bootstrap, topic_name(name, prefix), expect=1) for name in copies]
    finally:
        await relay.stop()
        await db.dispose()
    assert [len(records) for records in found] == [1, 1]
    # The same bytes everywhere (receivers deduplicate by the one event id); a copy under the key it was given.
    assert all(records[0].value == own.value for records in found)
    assert Envelope.from_bytes(own.value).event_id == written.event_id
    assert [records[0].key for records in found] == [b"erp-key", b"erp-key"]


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


async def test_two_relays_on_one_database_publish_each_event_once_in_order_and_the_second_takes_over(
        infra, fresh_database):
    """Two instances of a service: one relay leads (a session lock), the other waits; when the leader stops, the
    other publishes what comes next. Every event reaches Kafka once, in write order."""
    bootstrap = infra.endpoints.kafka
    topic, prefix = await new_namespace(bootstrap)
    db = Database(fresh_database)
    outbox = Outbox(SERVICE)
    event = probe("ordered")
    relays = [OutboxRelay(Database(fresh_database), bootstrap, client_id=SERVICE, topic_prefix=prefix,
                          poll_seconds=0.05) for _ in range(2)]
    for relay in relays:
        await relay.start()
    for i in range(30):  # one transaction each, while both relays are awake and racing for them
        async with db.transaction() as session:
            await outbox.publish(session, event.model_copy(update={"label": f"{i:02d}"}))
    first = await read_all(bootstrap, topic, expect=30, timeout_ms=60000)  # a new topic's metadata can lag
    assert len(first) == 30
    # Counted once the broker's acks are in and the rows are marked, a moment after a reader can see them.
    await eventually(lambda: sum(relay.published_total for relay in relays) == 30)
    leaders = [relay for relay in relays if relay.published_total]
    assert len(leaders) == 1, [relay.published_total for relay in relays]
    await leaders[0].stop()
    for i in range(30, 40):
        async with db.transaction() as session:
            await outbox.publish(session, event.model_copy(update={"label": f"{i:02d}"}))
    records = await read_all(bootstrap, topic, expect=40, timeout_ms=60000)
    await asyncio.sleep(0.5)  # a late duplicate would show up in a second read
    again = await read_all(bootstrap, topic, expect=41, timeout_ms=1000)
    standby = next(relay for relay in relays if relay is not leaders[0])
    await eventually(lambda: standby.published_total == 10)
    await standby.stop()
    for relay in relays:
        await relay.database.dispose()
    await db.dispose()
    assert [Envelope.from_bytes(r.value).payload["label"] for r in records] == [f"{i:02d}" for i in range(40)]
    assert len(again) == 40
    assert standby.published_total == 10


async def test_a_relay_whose_database_connection_was_cut_leads_again_and_publishes(infra, fresh_database):
    """The relay's lock lives on its own connection: cut it (a database restart, a failover) and the relay steps
    down, reconnects, takes the lock again and publishes what was written meanwhile."""
    bootstrap = infra.endpoints.kafka
    topic, prefix = await new_namespace(bootstrap)
    db = Database(fresh_database)
    outbox = Outbox(SERVICE)
    relay = OutboxRelay(Database(fresh_database), bootstrap, client_id=SERVICE, topic_prefix=prefix,
                        poll_seconds=0.1)
    await relay.start()
    async with db.transaction() as session:
        await outbox.publish(session, probe("before"))
    assert len(await read_all(bootstrap, topic, expect=1, timeout_ms=60000)) == 1
    # Cut once the relay has marked it sent: a cut between the send and the mark would rightly send it again
    # (at least once; consumers deduplicate), which is not what this test is about.
    await eventually(lambda: _all_marked(db))
    async with db.transaction() as session:  # every other connection to this database, the relay's among them
        await session.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                   "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    async with db.transaction() as session:
        await outbox.publish(session, probe("after"))
    records = await read_all(bootstrap, topic, expect=2, timeout_ms=30000)
    await relay.stop()
    await relay.database.dispose()
    await db.dispose()
    # Two keys, so two partitions may hand them back in either order; each exactly once.
    assert sorted(Envelope.from_bytes(r.value).payload["label"] for r in records) == ["after", "before"]


async def _all_marked(db: Database) -> bool:
    async with db.transaction() as session:
        return await session.scalar(text("SELECT count(*) FROM kit_outbox WHERE published_at IS NULL")) == 0
