"""Kafka names of one deployment: the contract catalogue's names under the deployment's topic prefix.

Every topic a Konnect process produces to, consumes from or creates (catalogue topics, `dlq.<service>`,
`erp.<client>.*`) and every consumer group gets its Kafka name from `topic_name` / `consumer_group`, so the one
setting `KONNECT_TOPIC_PREFIX` (empty by default; e.g. `staging.`, or one per test) moves a whole deployment into
its own namespace on a shared cluster. Code and events speak catalogue names only; the prefix is added where a
name meets Kafka (outbox relay, consumer, dead letters, ACLs, the deploy step) and removed again for handlers.

Also the deploy step, as auto-create is off:

    python -m konnect_kit.topics --bootstrap kafka:9092 [--replication-factor 3] [--topic-prefix staging.]

Runs as the cluster admin principal (`--username`, default admin; password from KONNECT_KAFKA_PASSWORD).
"""

import argparse
import asyncio
import os
import re
import sys
from typing import Annotated, Any

from konnect_contracts.envelope import EventPayload
from konnect_contracts.topics import TopicSpec, all_topic_specs
from pydantic import Field

from konnect_kit.kafka import KafkaConnection, add_connection_arguments, connection_from_arguments, ensure_topics

TOPIC_PREFIX_ENV = "KONNECT_TOPIC_PREFIX"
# Empty, or legal Kafka name characters ending in a dot, so a prefixed name still reads `<prefix>.<catalogue name>`.
TOPIC_PREFIX_PATTERN = r"^([A-Za-z0-9_-][A-Za-z0-9._-]{0,99}\.)?$"

TopicPrefix = Annotated[str, Field(validation_alias=TOPIC_PREFIX_ENV, pattern=TOPIC_PREFIX_PATTERN)]
"""The settings field every process reads from `KONNECT_TOPIC_PREFIX` (one value for the whole deployment)."""

Topic = TopicSpec | EventPayload | type[EventPayload] | str
"""A catalogue topic: its spec, an event (or event type) whose contract names it, or a catalogue name."""


def catalogue_name(topic: Topic) -> str:
    if isinstance(topic, TopicSpec):
        return topic.name
    if isinstance(topic, str):
        return topic
    return topic.TOPIC


def topic_name(topic: Topic, prefix: str) -> str:
    """The Kafka name of a catalogue topic in the deployment with this prefix: the one place names are made."""
    check_prefix(prefix)
    return prefix + catalogue_name(topic)


def consumer_group(service: str, prefix: str) -> str:
    """A service's consumer group: in the deployment's namespace too, so a prefixed deployment (a test) never
    joins, rebalances or commits for another's group of the same service."""
    return topic_name(service, prefix)


def unprefixed(kafka_topic: str, prefix: str) -> str:
    """The catalogue name of a Kafka topic of this deployment (what handlers see as `ctx.topic`)."""
    if not kafka_topic.startswith(prefix):
        raise ValueError(f"topic {kafka_topic!r} is not in the namespace {prefix!r}")
    return kafka_topic[len(prefix):]


def check_prefix(prefix: str) -> str:
    if not re.match(TOPIC_PREFIX_PATTERN, prefix):
        raise ValueError(f"topic prefix {prefix!r} must be empty or match {TOPIC_PREFIX_PATTERN}")
    return prefix


def deployment_topics(prefix: str, specs: list[TopicSpec] | None = None) -> list[tuple[str, int, dict[str, str]]]:
    """(name, partitions, configs) of every topic the deployment needs: the catalogue plus the dead-letter topics."""
    return [(topic_name(spec, prefix), spec.partitions, dict(spec.configs))
            for spec in (all_topic_specs() if specs is None else specs)]


async def create_deployment_topics(admin: KafkaConnection, prefix: str, *, replication_factor: int = 1,
                                   specs: list[TopicSpec] | None = None) -> list[str]:
    """Create what is missing of `deployment_topics`; returns the names created."""
    return await ensure_topics(admin, deployment_topics(prefix, specs), replication_factor=replication_factor)


def add_topic_prefix_argument(parser: Any) -> None:
    """`--topic-prefix` for the operator commands, defaulting to KONNECT_TOPIC_PREFIX like the services."""
    parser.add_argument("--topic-prefix", type=check_prefix, default=os.environ.get(TOPIC_PREFIX_ENV, ""),
                        help=f"the deployment's topic prefix (default: {TOPIC_PREFIX_ENV}, else none)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m konnect_kit.topics", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_connection_arguments(parser)
    add_topic_prefix_argument(parser)
    parser.add_argument("--replication-factor", type=int, default=1)
    args = parser.parse_args(argv)
    created = asyncio.run(create_deployment_topics(connection_from_arguments(args), args.topic_prefix,
                                                   replication_factor=args.replication_factor))
    print(f"created {len(created)} topic(s): {', '.join(created) or 'none (all existed)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
