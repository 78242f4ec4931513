"""Fixtures for credits tests: a migrated database, own topics and consumer group, Kafka in and out.

Each environment reads and writes its own copies of the request, directory and ledger topics, so a
running stack never answers this test's requests and this test never sees another's ledger events.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from credits.main import MIGRATIONS, create_app
from credits.settings import Settings
from konnect_contracts.envelope import Envelope, EventPayload, kafka_headers
from konnect_contracts.events.credits import TOPIC as LEDGER_TOPIC
from konnect_contracts.events.directory import TOPIC as DIRECTORY_TOPIC
from konnect_contracts.events.requests import REQUESTS_TOPIC, RequestLine, RequestSubmitted
from konnect_devstack.pytest_plugin import eventually, fetch_rows, internal_headers, new_service_env, running_app

OPERATOR = internal_headers("platform_operator", "operator-1")


@dataclass
class CreditsEnv:
    """One test environment; also carries the builders tests use (conftest is not importable)."""

    operator: ClassVar[dict[str, str]] = OPERATOR

    infra: Any
    database_url: str
    service_name: str
    requests_topic: str
    directory_topic: str
    ledger_topic: str

    def settings(self, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "database_url": self.database_url, **self.infra.endpoints.kafka_settings(),
            "service_name": self.service_name, "requests_topic": self.requests_topic,
            "directory_topic": self.directory_topic, "ledger_topic": self.ledger_topic,
            "consumer_backoff_initial_seconds": 0.05, "outbox_poll_seconds": 0.2,
        }
        return Settings(**{**values, **overrides})

    async def publish(self, *envelopes: Envelope) -> None:
        """Produce as planning and identity do: envelope bytes, the payload's key, the contract headers."""
        producer = AIOKafkaProducer(**self.infra.endpoints.kafka.client_kwargs(), acks="all",
                                    linger_ms=5)
        await producer.start()
        try:
            sends = []
            for envelope in envelopes:
                key = str(envelope.payload.get("family_id") or envelope.payload["organisation_id"])
                topic = self.directory_topic if _is_directory(envelope) else self.requests_topic
                sends.append(await producer.send(topic, value=envelope.to_bytes(), key=key.encode(),
                                                 headers=kafka_headers(envelope)))
            await asyncio.gather(*sends)
        finally:
            await producer.stop()

    async def ledger(self) -> list[Envelope]:
        """Every event on this environment's ledger topic so far, read from the start."""
        consumer = AIOKafkaConsumer(**self.infra.endpoints.kafka.client_kwargs(),
                                    enable_auto_commit=False, group_id=None)
        await consumer.start()
        try:
            parts = await _partitions(consumer, self.ledger_topic)
            consumer.assign(parts)
            ends = await consumer.end_offsets(parts)
            await consumer.seek_to_beginning(*parts)
            found: list[Envelope] = []
            while [tp for tp in parts if await consumer.position(tp) < ends[tp]]:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    found.extend(Envelope.from_bytes(r.value) for r in records)
            return found
        finally:
            await consumer.stop()

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        return await fetch_rows(self.database_url, sql, *args)

    @staticmethod
    def wrap(payload: EventPayload, event_id: UUID | None = None) -> Envelope:
        return Envelope.wrap(payload, producer="planning", correlation_id=f"test-{uuid.uuid4().hex[:8]}",
                             event_id=event_id)


    @staticmethod
    def credit_line(child_id: UUID, credit_id: UUID, amount: str = "1", *, on: date = date(2031, 3, 5),
                    care_type: str | None = "day_care", in_school_holiday: bool | None = False,
                    ends_on: date | None = None) -> RequestLine:
        return RequestLine(line_id=uuid.uuid4(), child_id=child_id, group_id=uuid.uuid4(), starts_on=on,
                           ends_on=ends_on or on, day_part_ids=(uuid.uuid4(),), payment="credit", credit_id=credit_id,
                           credit_amount=Decimal(amount), care_type=care_type,  # type: ignore[arg-type]
                           in_school_holiday=in_school_holiday)


    @staticmethod
    def submitted(org: UUID, *lines: RequestLine, family_id: UUID | None = None) -> RequestSubmitted:
        return RequestSubmitted(request_id=uuid.uuid4(), organisation_id=org, family_id=family_id or uuid.uuid4(),
                                kind="extra_day", submitted_by_account_id=uuid.uuid4(), lines=lines)


    @staticmethod
    def grant_body(org: UUID, child: UUID, amount: str = "3", **extra: Any) -> dict[str, Any]:
        return {"organisation_id": str(org), "child_id": str(child), "unit": "points", "amount": amount,
                "valid_from": "2031-01-01", "valid_until": "2031-12-31", **extra}


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    async def known() -> list[TopicPartition]:
        found = consumer.partitions_for_topic(topic)
        if not found:
            await consumer._client.force_metadata_update()  # metadata of a topic created a moment ago
        return [TopicPartition(topic, p) for p in sorted(found or ())]

    return await eventually(known, timeout=15)


def _is_directory(envelope: Envelope) -> bool:
    return envelope.event_type in ("ChildUpserted", "ParentUpserted", "OrganisationUpserted", "FamilyUpserted")


async def make_env(infra: Any) -> CreditsEnv:
    url, name, topics = await new_service_env(infra, MIGRATIONS, "credits", {
        "requests": (REQUESTS_TOPIC, 6), "directory": (DIRECTORY_TOPIC, 3), "ledger": (LEDGER_TOPIC, 3)})
    return CreditsEnv(infra, url, name, topics["requests"], topics["directory"], topics["ledger"])


@pytest.fixture
async def credits_env(infra: Any) -> CreditsEnv:
    return await make_env(infra)


@pytest.fixture(scope="module")
async def shared_env(infra: Any) -> CreditsEnv:
    """One environment for a module's tests that each use their own ids (saves a group join per test)."""
    return await make_env(infra)


@pytest.fixture(scope="module")
async def credits_app(shared_env: CreditsEnv) -> AsyncIterator[Any]:
    async with running_app(create_app(shared_env.settings())) as client:
        yield client
