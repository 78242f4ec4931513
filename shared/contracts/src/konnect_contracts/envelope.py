"""The event envelope that travels on every Konnect topic, and the base class of all payloads."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict

from konnect_contracts.common import UtcDatetime

HEADER_EVENT_TYPE = "event_type"
HEADER_CORRELATION_ID = "correlation_id"
HEADER_EVENT_ID = "event_id"


class EventPayload(BaseModel):
    """Base of every event payload.

    Concrete subclasses set the class variables explicitly; ``EVENT_TYPE`` is a fixed literal that
    external systems code against and is never derived from the class name.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    EVENT_TYPE: ClassVar[str]
    SCHEMA_VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str]
    KEY_FIELD: ClassVar[str]

    def partition_key(self) -> str:
        """The Kafka message key: ``str()`` of the field named by ``KEY_FIELD``."""
        return str(getattr(self, self.KEY_FIELD))


P = TypeVar("P", bound=EventPayload)


class Envelope(BaseModel):
    """Metadata plus the payload as a JSON object. Unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")

    event_id: UUID
    event_type: str
    schema_version: int
    occurred_at: UtcDatetime
    producer: str
    correlation_id: str
    causation_id: UUID | None = None
    organisation_id: UUID | None = None
    payload: dict[str, Any]

    @classmethod
    def wrap(
        cls,
        payload: EventPayload,
        *,
        producer: str,
        correlation_id: str,
        causation_id: UUID | None = None,
        organisation_id: UUID | None = None,
        event_id: UUID | None = None,
        occurred_at: datetime | None = None,
    ) -> Envelope:
        """Put ``payload`` in a new envelope (new event id and current UTC time unless given)."""
        if organisation_id is None:
            organisation_id = getattr(payload, "organisation_id", None)
        return cls(
            event_id=event_id if event_id is not None else uuid.uuid4(),
            event_type=payload.EVENT_TYPE,
            schema_version=payload.SCHEMA_VERSION,
            occurred_at=occurred_at if occurred_at is not None else datetime.now(UTC),
            producer=producer,
            correlation_id=correlation_id,
            causation_id=causation_id,
            organisation_id=organisation_id,
            payload=payload.model_dump(mode="json"),
        )

    def to_bytes(self) -> bytes:
        """Compact UTF-8 JSON, the Kafka message value."""
        return self.model_dump_json().encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Envelope:
        return cls.model_validate_json(data)

    def payload_as(self, model: type[P]) -> P:
        """Validate the payload as ``model``; raises ``ValueError`` if the event type does not match."""
        expected = getattr(model, "EVENT_TYPE", None)
        if expected is not None and expected != self.event_type:
            raise ValueError(f"envelope carries {self.event_type!r}, not {expected!r}")
        return model.model_validate(self.payload)


def kafka_headers(envelope: Envelope) -> list[tuple[str, bytes]]:
    """Headers to send with the message so routers and logs need not parse the value."""
    return [
        (HEADER_EVENT_TYPE, envelope.event_type.encode("utf-8")),
        (HEADER_CORRELATION_ID, envelope.correlation_id.encode("utf-8")),
        (HEADER_EVENT_ID, str(envelope.event_id).encode("utf-8")),
    ]
