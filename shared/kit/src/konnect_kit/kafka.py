"""Kafka wiring: the producer settings every service uses and explicit topic creation."""

import logging

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

log = logging.getLogger(__name__)


def make_producer(bootstrap_servers: str, *, client_id: str) -> AIOKafkaProducer:
    # Idempotent producer with acks=all: a retried send never duplicates or reorders within a partition.
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=15000,
        retry_backoff_ms=200,
    )


async def ensure_topics(
    bootstrap_servers: str, topics: list[tuple[str, int]], *, replication_factor: int = 1
) -> list[str]:
    """Create the topics that do not exist yet (broker auto-create is off); returns those created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="konnect-topics")
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [NewTopic(name, partitions, replication_factor) for name, partitions in topics
                   if name not in existing]
        if missing:
            try:
                await admin.create_topics(missing)
            except TopicAlreadyExistsError:
                # Another process created them between our list and create: the goal is reached.
                pass
        return [t.name for t in missing]
    finally:
        await admin.close()
