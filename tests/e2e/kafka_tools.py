"""Reading a run's events back from Kafka, re-publishing them, and waiting until consumer groups caught up."""

import asyncio
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from konnect_contracts.envelope import Envelope
from konnect_kit.kafka import KafkaConnection


async def events_of_organisation(bootstrap: KafkaConnection, topics: list[str], organisation_id: str) -> list:
    """Every record on `topics` whose envelope names this organisation, oldest first per partition."""
    consumer = AIOKafkaConsumer(**bootstrap.client_kwargs(), group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await _partitions(consumer, topics)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records = []
        while True:
            behind = [tp for tp, end in ends.items() if await consumer.position(tp) < end]
            if not behind:
                return records
            for batch in (await consumer.getmany(*behind, timeout_ms=500)).values():
                records += [r for r in batch if str(Envelope.from_bytes(r.value).organisation_id) == organisation_id]
    finally:
        await consumer.stop()


async def republish(bootstrap: KafkaConnection, records: list) -> None:
    producer = AIOKafkaProducer(**bootstrap.client_kwargs(), acks="all")
    await producer.start()
    try:
        for record in records:
            await producer.send_and_wait(record.topic, record.value, key=record.key, headers=list(record.headers))
    finally:
        await producer.stop()


async def wait_until_consumed(bootstrap: KafkaConnection, groups: list[str], topics: list[str],
                              timeout: float = 60, *, strict: bool = False) -> None:
    """Until each group's committed offsets reach the end of every partition of `topics`.

    `strict`: every group reads every topic (a partition it has not committed on yet counts as behind)."""
    admin = AIOKafkaAdminClient(**bootstrap.client_kwargs())
    probe = AIOKafkaConsumer(**bootstrap.client_kwargs(), group_id=None)
    await admin.start()
    await probe.start()
    try:
        partitions = await _partitions(probe, topics)
        ends = await probe.end_offsets(partitions)
        deadline = time.monotonic() + timeout
        for group in groups:
            while True:
                committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
                # Only topics the group reads: one it never committed on is not its topic.
                reads = set(topics) if strict else {
                    tp.topic for tp, meta in committed.items() if meta is not None and meta.offset >= 0}
                behind = [tp for tp, end in ends.items() if tp.topic in reads and end and (
                    committed.get(tp) is None or committed[tp].offset < end)]
                if not behind:
                    break
                assert time.monotonic() < deadline, f"{group} still behind on {behind}"
                await asyncio.sleep(0.3)
    finally:
        await probe.stop()
        await admin.close()


async def _partitions(consumer: AIOKafkaConsumer, topics: list[str]) -> list[TopicPartition]:
    cluster = await consumer._client.fetch_all_metadata()  # the public topics() call discards the partitions
    return [TopicPartition(t, p) for t in topics for p in sorted(cluster.partitions_for_topic(t) or ())]
