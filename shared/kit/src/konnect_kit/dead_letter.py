"""Dead letters, the writing side: a message that cannot be applied goes to the service's dead-letter topic.

The original bytes, key and headers are kept, with headers saying where it came from and why it failed, so
`python -m konnect_kit.dlq` (the reading side: list and replay) can put it back on its topic after a fix.
"""

import asyncio
import logging
import time
import traceback

from aiokafka import AIOKafkaProducer, ConsumerRecord
from aiokafka.errors import KafkaError

log = logging.getLogger("konnect_kit.consumer")


def dead_letter_headers(record: ConsumerRecord, exc: BaseException, *, consumer: str,
                        attempts: int) -> list[tuple[str, bytes]]:
    return [
        *(record.headers or []),
        ("dlq_original_topic", record.topic.encode()),
        ("dlq_original_partition", str(record.partition).encode()),
        ("dlq_original_offset", str(record.offset).encode()),
        ("dlq_consumer", consumer.encode()),
        ("dlq_error", f"{type(exc).__name__}: {exc}"[:2000].encode()),
        ("dlq_traceback", "".join(traceback.format_exception(exc))[-4000:].encode()),
        ("dlq_attempts", str(attempts).encode()),
        ("dlq_failed_at", str(time.time()).encode()),
    ]


async def send_dead_letter(producer: AIOKafkaProducer, topic: str, record: ConsumerRecord, exc: BaseException, *,
                           consumer: str, attempts: int, backoff_initial: float, backoff_max: float) -> None:
    """Publish the dead letter; retries until Kafka has it (the partition must not move on before)."""
    headers = dead_letter_headers(record, exc, consumer=consumer, attempts=attempts)
    delay = backoff_initial
    while True:
        try:
            await producer.send_and_wait(topic, value=record.value, key=record.key, headers=headers)
            break
        except KafkaError as send_exc:
            log.warning("dead-letter publish failed, retrying", extra={"error": repr(send_exc)})
            await asyncio.sleep(delay)
            delay = min(delay * 2, backoff_max)
    log.error(
        "event dead-lettered",
        extra={"topic": record.topic, "partition": record.partition, "offset": record.offset,
               "attempts": attempts, "error": repr(exc), "dead_letter_topic": topic},
    )
