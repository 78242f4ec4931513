"""The Kafka loop: consume RequestSubmitted, produce one ChildEvaluated per line, then commit the offsets.

Only `konnect_contracts` (the published event models) and aiokafka are used, as an integrator would.
The client authenticates as its own Kafka user (SCRAM-SHA-512) and uses only its own topics:
`erp.<client>.requests.v1` (integrator events of its organisations, written by Konnect) and
`erp.<client>.evaluations.v1` (its evaluations). The broker refuses anything else.
"""

import asyncio
import logging
import ssl
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord
from konnect_contracts import Envelope, kafka_headers
from konnect_contracts.events.requests import RequestSubmitted
from konnect_contracts.topics import erp_topics
from pydantic import ValidationError

from erp_client.rule import Rule, evaluation_event_id, evaluations

log = logging.getLogger("erp_client")


@dataclass(frozen=True)
class Config:
    client_id: str = "example"  # as registered by the platform operator (`kafka_access erp-add`)
    password: str = ""  # the client's Kafka password, handed over by the operator
    bootstrap_servers: str = "127.0.0.1:9092"
    group_id: str = ""  # default: erp.<client>.evaluator (groups must start with erp.<client>.)
    # The Konnect deployment's topic prefix, when the operator names one (e.g. `staging.`): it comes before every
    # topic and group name above. Empty for a normal deployment.
    topic_prefix: str = ""
    evaluator_id: str = "example-erp"
    # SASL_PLAINTEXT only against a local stack; production brokers speak SASL_SSL (set ssl_cafile if needed).
    security_protocol: str = "SASL_PLAINTEXT"
    ssl_cafile: str | None = None
    producer_name: str = "erp.example"  # the envelope's `producer`
    rule: Rule = field(default_factory=Rule)
    # Empty: every organisation in the client's topic (only those it is registered for ever arrive there).
    organisations: frozenset[UUID] = frozenset()
    # A new consumer group starts at the oldest retained event, so nothing submitted before the first start
    # is missed. ("latest" skips history; the integration test uses it.)
    auto_offset_reset: str = "earliest"

    @property
    def username(self) -> str:
        return erp_topics(self.client_id).principal

    @property
    def requests_topic(self) -> str:
        return self.topic_prefix + erp_topics(self.client_id).requests

    @property
    def evaluations_topic(self) -> str:
        return self.topic_prefix + erp_topics(self.client_id).evaluations

    @property
    def group(self) -> str:
        return self.group_id or f"{self.topic_prefix}{erp_topics(self.client_id).prefix}evaluator"

    def kafka_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"bootstrap_servers": self.bootstrap_servers,
                                   "security_protocol": self.security_protocol}
        if self.security_protocol != "PLAINTEXT":
            options |= {"sasl_mechanism": "SCRAM-SHA-512", "sasl_plain_username": self.username,
                        "sasl_plain_password": self.password}
        if self.security_protocol == "SASL_SSL":
            options["ssl_context"] = ssl.create_default_context(cafile=self.ssl_cafile)
        return options


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
            c.requests_topic, **c.kafka_options(), group_id=c.group,
            # Offsets are committed by hand, after the evaluations are acknowledged (at-least-once).
            enable_auto_commit=False, auto_offset_reset=c.auto_offset_reset,
        )
        # acks=all + idempotence: an acknowledged evaluation is on every in-sync replica, retries never duplicate.
        producer = AIOKafkaProducer(**c.kafka_options(), acks="all", enable_idempotence=True)
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
                 self.config.requests_topic, self.config.group)

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
