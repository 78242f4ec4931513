"""Idempotent consumer against real Kafka and PostgreSQL: duplicates, poison messages, replay, shutdown."""

import asyncio

from kit_helpers import (
    SERVICE,
    create_effects_table,
    effects,
    make_consumer,
    new_namespace,
    probe,
    produce_raw,
    raw,
    read_all,
    record_effect,
)
from konnect_contracts.envelope import Envelope
from konnect_devstack.pytest_plugin import eventually
from konnect_kit.consumer import Subscription
from konnect_kit.db import Database
from konnect_kit.dlq import list_dead_letters, replay_dead_letters
from konnect_kit.kafka import ensure_topics
from konnect_kit.topics import topic_name
from sqlalchemy import text


async def test_same_event_delivered_twice_has_one_effect(infra, fresh_database):
    bootstrap = infra.endpoints.kafka
    topic, prefix = await new_namespace(bootstrap)
    db = Database(fresh_database)
    await create_effects_table(db)
    consumer = make_consumer(db, bootstrap, prefix)
    consumer.on(type(probe("x")), record_effect)
    first = Envelope.wrap(probe("once"), producer="test", correlation_id="c1")
    # The duplicate lands in the same batch and, after the first commit, again in a later batch.
    await produce_raw(bootstrap, topic, [raw(first, "k"), raw(first, "k")])
    await consumer.start()
    await eventually(lambda: consumer.processed_total >= 2)
    await produce_raw(bootstrap, topic, [raw(first, "k")])
    await eventually(lambda: consumer.processed_total >= 3)
    await consumer.stop()
    assert await effects(db) == ["once"]
    await db.dispose()


async def test_failed_handler_is_retried_and_commits_once(infra, fresh_database):
    bootstrap = infra.endpoints.kafka
    topic, prefix = await new_namespace(bootstrap)
    db = Database(fresh_database)
    await create_effects_table(db)
    calls = {"n": 0}

    async def flaky(ctx, event):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        await record_effect(ctx, event)  # written, then rolled back by the failure below
        if calls["n"] < 3:
            raise ConnectionError("transient")

    consumer = make_consumer(db, bootstrap, prefix, max_attempts=5)
    consumer.on(type(probe("x")), flaky)
    await produce_raw(bootstrap, topic, [raw(Envelope.wrap(probe("flaky"), producer="t", correlation_id="c"), "k")])
    await consumer.start()
    await eventually(lambda: consumer.processed_total >= 1)
    await consumer.stop()
    assert await effects(db) == ["flaky"]
    assert consumer.dead_lettered_total == 0
    await db.dispose()


async def test_poison_message_is_dead_lettered_and_the_partition_goes_on(infra, fresh_database):
    bootstrap = infra.endpoints.kafka
    topic, prefix = await new_namespace(bootstrap)
    db = Database(fresh_database)
    await create_effects_table(db)
    broken = {"on": True}

    async def handler(ctx, event):  # type: ignore[no-untyped-def]
        if event.label == "poison" and broken["on"]:
            raise ValueError("cannot handle this one")
        await record_effect(ctx, event)

    consumer = make_consumer(db, bootstrap, prefix, max_attempts=3)
    consumer.on(type(probe("x")), handler)
    poison = Envelope.wrap(probe("poison"), producer="t", correlation_id="c-poison")
    # Same key → same partition: "after" must still be processed behind the poison message.
    await produce_raw(bootstrap, topic, [
        raw(Envelope.wrap(probe("before"), producer="t", correlation_id="c"), "k"),
        raw(poison, "k"),
        (b"k", b"{not json", []),
        raw(Envelope.wrap(probe("after"), producer="t", correlation_id="c"), "k"),
    ])
    await consumer.start()
    await eventually(lambda: consumer.dead_lettered_total >= 2 and consumer.processed_total >= 2)
    await consumer.stop()
    assert await effects(db) == ["after", "before"]

    letters = await list_dead_letters(bootstrap, SERVICE, topic_prefix=prefix)
    assert len(letters) == 2
    by_value = {letter.record.value: letter for letter in letters}
    poisoned = by_value[poison.to_bytes()]  # the original payload, byte for byte
    assert poisoned.header("dlq_error") == "ValueError: cannot handle this one"
    assert poisoned.header("dlq_attempts") == "3"
    assert poisoned.original_topic == topic
    assert by_value[b"{not json"].header("dlq_attempts") == "1"  # undecodable: no pointless retries

    # The fix is deployed; one command replays the dead letters and the event takes effect once.
    broken["on"] = False
    consumer = make_consumer(db, bootstrap, prefix)
    consumer.on(type(probe("x")), handler)
    await consumer.start()
    assert await replay_dead_letters(bootstrap, SERVICE, topic_prefix=prefix) == 2
    await eventually(lambda: consumer.processed_total >= 1)
    await eventually(lambda: consumer.dead_lettered_total >= 1)  # the undecodable one fails again
    assert await replay_dead_letters(bootstrap, SERVICE, topic_prefix=prefix) == 1  # only letters not replayed before
    await consumer.stop()
    assert await effects(db) == ["after", "before", "poison"]
    await db.dispose()
    assert consumer.dead_letter_topic == f"{prefix}dlq.{SERVICE}"  # the dead letters stay in the namespace


async def test_shutdown_finishes_the_message_in_flight_and_commits_it(infra, fresh_database):
    bootstrap = infra.endpoints.kafka
    topic, prefix = await new_namespace(bootstrap)
    db = Database(fresh_database)
    await create_effects_table(db)
    entered = asyncio.Event()

    async def slow(ctx, event):  # type: ignore[no-untyped-def]
        entered.set()
        await asyncio.sleep(1.0)
        await record_effect(ctx, event)

    consumer = make_consumer(db, bootstrap, prefix)
    consumer.on(type(probe("x")), slow)
    await produce_raw(bootstrap, topic, [raw(Envelope.wrap(probe("in-flight"), producer="t", correlation_id="c"), "k")])
    await consumer.start()
    await asyncio.wait_for(entered.wait(), timeout=30)
    await consumer.stop()  # asked to stop while the handler sleeps
    assert await effects(db) == ["in-flight"]

    # Its offset was committed: a new instance of the group does not see the event again.
    again = make_consumer(db, bootstrap, prefix)
    seen: list[str] = []

    async def remember(ctx, event):  # type: ignore[no-untyped-def]
        seen.append(event.label)

    again.on(type(probe("x")), remember)
    await produce_raw(bootstrap, topic, [raw(Envelope.wrap(probe("next"), producer="t", correlation_id="c"), "k")])
    await again.start()
    await eventually(lambda: again.processed_total >= 1)
    await again.stop()
    assert seen == ["next"]
    await db.dispose()


async def test_events_written_by_a_handler_carry_correlation_and_causation(infra, fresh_database):
    bootstrap = infra.endpoints.kafka
    topic, prefix = await new_namespace(bootstrap)
    out_topic, out_prefix = await new_namespace(bootstrap)  # the relay publishes to another deployment's topic
    db = Database(fresh_database)
    from konnect_kit.outbox import OutboxRelay

    async def react(ctx, event):  # type: ignore[no-untyped-def]
        await ctx.outbox.publish(ctx.session, probe(f"reaction-to-{event.label}"))

    consumer = make_consumer(db, bootstrap, prefix)
    consumer.on(type(probe("x")), react)
    relay = OutboxRelay(db, bootstrap, client_id=SERVICE, topic_prefix=out_prefix, poll_seconds=0.2)
    cause = Envelope.wrap(probe("cause"), producer="t", correlation_id="flow-42")
    await produce_raw(bootstrap, topic, [raw(cause, "k")])
    await consumer.start()
    await relay.start()
    records = await read_all(bootstrap, out_topic, expect=1)
    await consumer.stop()
    await relay.stop()
    await db.dispose()
    reaction = Envelope.from_bytes(records[0].value)
    assert reaction.correlation_id == "flow-42"
    assert reaction.causation_id == cause.event_id
    assert reaction.payload["label"] == "reaction-to-cause"


async def test_an_idle_consumer_still_commits_the_offsets_of_its_last_batch(infra, fresh_database):
    from aiokafka import TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    bootstrap = infra.endpoints.kafka
    topic, prefix = await new_namespace(bootstrap)
    db = Database(fresh_database)
    await create_effects_table(db)
    consumer = make_consumer(db, bootstrap, prefix, offset_commit_interval=2.0)
    consumer.on(type(probe("x")), record_effect)
    await produce_raw(bootstrap, topic, [raw(Envelope.wrap(probe("first"), producer="t", correlation_id="c"), "k")])
    await consumer.start()
    await eventually(lambda: consumer.processed_total >= 1)  # its offsets went out at once (first commit)
    await produce_raw(bootstrap, topic, [raw(Envelope.wrap(probe("last"), producer="t", correlation_id="c"), "k")])
    await eventually(lambda: consumer.processed_total >= 2)  # within the interval: its commit is deferred
    admin = AIOKafkaAdminClient(**bootstrap.client_kwargs())
    await admin.start()

    async def committed_to_the_end() -> bool:  # no further event arrives to carry the commit along
        offsets = await admin.list_consumer_group_offsets(consumer.group_id)
        return sum(meta.offset for tp, meta in offsets.items() if isinstance(tp, TopicPartition)) == 2

    try:
        assert await eventually(committed_to_the_end, timeout=10)
    finally:
        await admin.close()
        await consumer.stop()
        await db.dispose()


async def test_topics_named_by_the_services_data_are_consumed_as_they_appear(infra, fresh_database):
    """Like planning with ERP clients: each new row names a new topic; events on it (even ones written before
    the consumer noticed) are handled. Topics are added back to back, so some appear mid-rebalance — the
    case where a regex subscription could leave a new topic unassigned."""
    bootstrap = infra.endpoints.kafka
    _, prefix = await new_namespace(bootstrap)
    db = Database(fresh_database)
    await create_effects_table(db)
    async with db.transaction() as session:
        await session.execute(text("CREATE TABLE named_topics (topic text PRIMARY KEY)"))

    async def named_topics(session) -> list[str]:  # type: ignore[no-untyped-def]
        return list((await session.execute(text("SELECT topic FROM named_topics"))).scalars())

    came_from: set[str] = set()

    async def remember_topic(ctx, event) -> None:  # type: ignore[no-untyped-def]
        came_from.add(ctx.topic)
        await record_effect(ctx, event)

    consumer = make_consumer(db, bootstrap, prefix)
    consumer.topic_refresh_seconds = 0.5
    consumer.subscribe([Subscription({type(probe("x")): remember_topic}, more_topics=named_topics)])
    await consumer.start()
    await eventually(lambda: consumer.running)
    expected = []
    for round_ in range(3):
        names = [f"kit.more-{round_}-{i}.v1" for i in range(3)]  # catalogue names, as a service's data holds them
        await ensure_topics(bootstrap, [(topic_name(name, prefix), 3) for name in names])
        for name in names:  # written before the consumer follows the topic: read from its start
            label = f"{name}-early"
            envelope = Envelope.wrap(probe(label), producer="t", correlation_id="c")
            await produce_raw(bootstrap, topic_name(name, prefix), [raw(envelope, label)])
            expected.append(label)
        async with db.transaction() as session:
            for name in names:
                await session.execute(text("INSERT INTO named_topics VALUES (:t)"), {"t": name})
        kafka_names = {topic_name(name, prefix) for name in names}
        await eventually(lambda kafka_names=kafka_names: kafka_names <= set(consumer.subscribed_topics), timeout=20)
    got = await eventually(lambda: _all_of(db, expected), timeout=60)
    await consumer.stop()
    assert sorted(got) == sorted(expected)
    # Handlers see the names the service's data holds: the deployment's prefix is the kit's business.
    assert came_from == {f"kit.more-{round_}-{i}.v1" for round_ in range(3) for i in range(3)}
    await db.dispose()


async def _all_of(db: Database, expected: list[str]) -> list[str]:
    seen = await effects(db)
    return seen if set(expected) <= set(seen) else []
