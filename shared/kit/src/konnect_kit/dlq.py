"""Dead letters: list a service's dead-letter topic and replay its messages to their original topics.

    python -m konnect_kit.dlq list   --service planning [--bootstrap 127.0.0.1:9092] [--topic-prefix P]
    python -m konnect_kit.dlq replay --service planning [--bootstrap ...] [--event-id ID]

`--topic-prefix` (default KONNECT_TOPIC_PREFIX) names the deployment whose `dlq.<service>` is meant.

An operator command: it runs as the cluster admin principal (`--username`, default admin; the password from
KONNECT_KAFKA_PASSWORD), since replaying writes to other services' topics.

Replaying re-publishes the original bytes, key and headers to the original topic. Consumers of other
services that already handled the event skip it through their inbox, so a replay is always safe.
Progress is kept as the consumer group `dlq-replay.<service>`: each dead letter is replayed once.
"""

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from konnect_contracts.topics import dead_letter_topic

from konnect_kit.kafka import KafkaConnection, add_connection_arguments, connection_from_arguments, make_producer
from konnect_kit.topics import add_topic_prefix_argument, consumer_group, topic_name

_DLQ_PREFIX = "dlq_"


@dataclass(frozen=True)
class DeadLetter:
    record: ConsumerRecord

    def header(self, name: str) -> str | None:
        for key, value in self.record.headers or []:
            if key == name:
                return value.decode()
        return None

    @property
    def original_topic(self) -> str:
        topic = self.header("dlq_original_topic")
        assert topic, "dead letter without dlq_original_topic header"
        return topic

    def summary(self) -> dict[str, str | None]:
        return {
            "event_id": self.header("event_id"),
            "event_type": self.header("event_type"),
            "original_topic": self.original_topic,
            "original_offset": self.header("dlq_original_offset"),
            "error": self.header("dlq_error"),
            "attempts": self.header("dlq_attempts"),
        }


async def read_dead_letters(kafka: KafkaConnection, service: str, *, group_id: str | None,
                            topic_prefix: str = "") -> AIOKafkaConsumer:
    consumer = AIOKafkaConsumer(
        topic_name(dead_letter_topic(service), topic_prefix),
        **kafka.client_kwargs(),
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    return consumer


async def _drain(consumer: AIOKafkaConsumer) -> list[DeadLetter]:
    letters: list[DeadLetter] = []
    while True:
        batches = await consumer.getmany(timeout_ms=1500)
        if not batches:
            return letters
        for records in batches.values():
            letters.extend(DeadLetter(r) for r in records)


async def list_dead_letters(kafka: KafkaConnection, service: str, *, topic_prefix: str = "") -> list[DeadLetter]:
    consumer = await read_dead_letters(kafka, service, group_id=None, topic_prefix=topic_prefix)
    try:
        return await _drain(consumer)
    finally:
        await consumer.stop()


async def replay_dead_letters(kafka: KafkaConnection, service: str, *, event_id: str | None = None,
                              topic_prefix: str = "") -> int:
    """Replays dead letters not replayed before; returns how many were re-published (to the Kafka topic each
    came from, which is already in the deployment's namespace)."""
    consumer = await read_dead_letters(kafka, service, group_id=consumer_group(f"dlq-replay.{service}", topic_prefix),
                                       topic_prefix=topic_prefix)
    producer = make_producer(kafka, client_id=f"dlq-replay-{service}")
    await producer.start()
    replayed = 0
    try:
        for letter in await _drain(consumer):
            if event_id and letter.header("event_id") != event_id:
                continue
            headers = [(k, v) for k, v in letter.record.headers or [] if not k.startswith(_DLQ_PREFIX)]
            await producer.send_and_wait(
                letter.original_topic, value=letter.record.value, key=letter.record.key, headers=headers
            )
            replayed += 1
        if event_id is None:
            await consumer.commit()  # a filtered replay leaves the rest for a later full replay
    finally:
        await producer.stop()
        await consumer.stop()
    return replayed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m konnect_kit.dlq", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument("--service", required=True)
    add_connection_arguments(parser)
    add_topic_prefix_argument(parser)
    parser.add_argument("--event-id")
    args = parser.parse_args(argv)
    topic = topic_name(dead_letter_topic(args.service), args.topic_prefix)
    if args.action == "list":
        letters = asyncio.run(list_dead_letters(connection_from_arguments(args), args.service,
                                                topic_prefix=args.topic_prefix))
        for letter in letters:
            print(json.dumps(letter.summary()))
        print(f"{len(letters)} dead letter(s) in {topic}", file=sys.stderr)
    else:
        count = asyncio.run(replay_dead_letters(connection_from_arguments(args), args.service, event_id=args.event_id,
                                                topic_prefix=args.topic_prefix))
        print(f"replayed {count} dead letter(s) from {topic}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
