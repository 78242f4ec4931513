"""The Kafka loop: consume RequestSubmitted, produce one ChildEvaluated per line, then commit the offsets.

Only `konnect_contracts` (the published event models) and aiokafka are used, as an integrator would.
"""

import asyncio
import logging
from dataclasses import dataclass, field
from uuid import UUID

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from konnect_contracts import Envelope, kafka_headers
from konnect_contracts.events.requests import EVALUATIONS_TOPIC, REQUESTS_TOPIC, RequestSubmitted
from pydantic import ValidationError

from erp_client.rule import Rule, evaluation_event_id, evaluations

log = logging.getLogger("erp_client")


@dataclass(frozen=True)
class Config:
    bootstrap_servers: str = "127.0.0.1:9092"
    group_id: str = "erp-example"
    evaluator_id: str = "example-erp"
    producer_name: str = "erp.example"  # the envelope's `producer`
    rule: Rule = field(default_factory=Rule)
    # Empty: every organisation on the cluster. A real ERP lists the organisations it plans for.
    organisations: frozenset[UUID] = frozenset()
    # A new consumer group starts at the oldest retained event, so nothing submitted before the first start
    # is missed. ("latest" skips history; the integration test uses it.)
    auto_offset_reset: str = "earliest"
    requests_topic: str = REQUESTS_TOPIC
    evaluations_topic: str = EVALUATIONS_TOPIC


class ErpClient:
    def __init__(self, config: Config) -> None:
        self.config = config
        # Set once partitions are assigned and their start positions known: events produced after that are seen.
        self.ready = asyncio.Event()
        self.evaluated_total = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set. A produce failure ends the run without committing: restart to retry."""
        c = self.config
        consumer = AIOKafkaConsumer(
            c.requests_topic, bootstrap_servers=c.bootstrap_servers, group_id=c.group_id,
            # Offsets are committed by hand, after the evaluations are acknowledged (at-least-once).
            enable_auto_commit=False, auto_offset_reset=c.auto_offset_reset,
        )
        # acks=all + idempotence: an acknowledged evaluation is on every in-sync replica, retries never duplicate.
        producer = AIOKafkaProducer(bootstrap_servers=c.bootstrap_servers, acks="all", enable_idempotence=True)
        await producer.start()
        try:
            await consumer.start()
            try:
                while not stop.is_set():
                    batches = await consumer.getmany(timeout_ms=500, max_records=200)
                    await self._mark_ready(consumer)
                    for partition, records in batches.items():
                        for record in records:
                            await self.handle(record, producer)
                        # Only now: a crash before this line redelivers the batch, which is harmless (see rule.py).
                        await consumer.commit({partition: records[-1].offset + 1})
            finally:
                await consumer.stop()
        finally:
            await producer.stop()

    async def _mark_ready(self, consumer: AIOKafkaConsumer) -> None:
        if self.ready.is_set() or not consumer.assignment():
            return
        for partition in consumer.assignment():
            await consumer.position(partition)  # resolves "latest"/"earliest" to a concrete offset now
        self.ready.set()
        log.info("consuming %s partition(s) of %s as group %s", len(consumer.assignment()),
                 self.config.requests_topic, self.config.group_id)

    async def handle(self, record: ConsumerRecord, producer: AIOKafkaProducer) -> int:
        """Evaluate one record; returns how many evaluations were produced (0 for anything not ours)."""
        try:
            envelope = Envelope.from_bytes(record.value)
            if envelope.event_type != RequestSubmitted.EVENT_TYPE:
                return 0  # RequestDecided, AbsenceReported, ... and event types newer than this client
            request = envelope.payload_as(RequestSubmitted)
        except (ValidationError, ValueError) as exc:
            # Retrying cannot fix a message we cannot read: log it for a human and move on.
            log.error("unreadable message skipped: %s at %s/%s@%s", type(exc).__name__, record.topic,
                      record.partition, record.offset)
            return 0
        if self.config.organisations and request.organisation_id not in self.config.organisations:
            return 0
        sent = []
        for evaluation in evaluations(request, self.config.rule, evaluator_id=self.config.evaluator_id):
            out = Envelope.wrap(
                evaluation, producer=self.config.producer_name, correlation_id=envelope.correlation_id,
                causation_id=envelope.event_id, event_id=evaluation_event_id(envelope.event_id, evaluation.line_id),
            )
            # Keyed by family_id, so the evaluation stays in order with the family's other events.
            sent.append(await producer.send(self.config.evaluations_topic, value=out.to_bytes(),
                                            key=evaluation.partition_key().encode(), headers=kafka_headers(out)))
        await asyncio.gather(*sent)  # wait for the broker's acknowledgement of every line before committing
        self.evaluated_total += len(sent)
        log.info("request evaluated: %s line(s) of request %s", len(sent), request.request_id)
        return len(sent)
