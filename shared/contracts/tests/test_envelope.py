"""Envelope wrapping, bytes round trip, forward compatibility."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from konnect_contracts import (
    HEADER_CORRELATION_ID,
    HEADER_EVENT_ID,
    HEADER_EVENT_TYPE,
    Envelope,
    kafka_headers,
    parse_payload,
)
from konnect_contracts.events.credits import CreditReserved
from konnect_contracts.events.platform import ProbeRecorded
from konnect_contracts.events.requests import ChildEvaluated, RequestLine, RequestSubmitted
from pydantic import ValidationError


def _request() -> RequestSubmitted:
    return RequestSubmitted(
        request_id=uuid.uuid4(),
        organisation_id=uuid.uuid4(),
        family_id=uuid.uuid4(),
        kind="extra_day",
        all_or_nothing=True,
        expires_on=date(2026, 3, 1),
        submitted_by_account_id=uuid.uuid4(),
        lines=(
            RequestLine(
                line_id=uuid.uuid4(),
                child_id=uuid.uuid4(),
                group_id=uuid.uuid4(),
                starts_on=date(2026, 3, 4),
                ends_on=date(2026, 3, 4),
                day_part_ids=(uuid.uuid4(),),
                payment="credit",
                credit_id=uuid.uuid4(),
                credit_amount=Decimal("5.50"),
            ),
        ),
    )


def test_round_trip_bytes_and_payload_as() -> None:
    payload = _request()
    causation = uuid.uuid4()
    env = Envelope.wrap(payload, producer="planning", correlation_id="req-1", causation_id=causation)
    data = env.to_bytes()
    assert isinstance(data, bytes)
    back = Envelope.from_bytes(data)
    assert back == env
    assert back.event_type == "RequestSubmitted"
    assert back.schema_version == 1
    assert back.causation_id == causation
    assert back.payload_as(RequestSubmitted) == payload
    assert parse_payload(back) == payload
    assert back.payload_as(RequestSubmitted).lines[0].credit_amount == Decimal("5.50")


def test_wrap_fills_defaults_and_takes_organisation_from_payload() -> None:
    payload = ProbeRecorded(probe_id=uuid.uuid4(), organisation_id=uuid.uuid4(), label="hello")
    before = datetime.now(UTC)
    env = Envelope.wrap(payload, producer="kit", correlation_id="c")
    assert isinstance(env.event_id, uuid.UUID)
    assert env.organisation_id == payload.organisation_id
    assert before <= env.occurred_at <= datetime.now(UTC)
    assert env.occurred_at.utcoffset() == timedelta(0)
    other_org = uuid.uuid4()
    explicit = Envelope.wrap(
        payload, producer="kit", correlation_id="c", organisation_id=other_org, event_id=env.event_id
    )
    assert explicit.organisation_id == other_org
    assert explicit.event_id == env.event_id
    assert Envelope.wrap(payload, producer="kit", correlation_id="c").event_id != env.event_id


def test_occurred_at_is_normalised_to_utc_and_must_be_aware() -> None:
    payload = ProbeRecorded(probe_id=uuid.uuid4(), organisation_id=uuid.uuid4(), label="x")
    local = datetime(2026, 5, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    env = Envelope.wrap(payload, producer="kit", correlation_id="c", occurred_at=local)
    assert env.occurred_at == local
    assert env.occurred_at.utcoffset() == timedelta(0)
    assert env.occurred_at.hour == 10
    with pytest.raises(ValidationError):
        Envelope.wrap(payload, producer="kit", correlation_id="c", occurred_at=datetime(2026, 5, 1))


def test_to_bytes_is_compact_utf8_json() -> None:
    payload = ProbeRecorded(probe_id=uuid.uuid4(), organisation_id=uuid.uuid4(), label="crèche ☀")
    data = Envelope.wrap(payload, producer="kit", correlation_id="c").to_bytes()
    assert b", " not in data and b'": ' not in data
    assert "crèche ☀" in data.decode("utf-8")
    assert json.loads(data)["payload"]["label"] == "crèche ☀"


def test_unknown_fields_in_envelope_and_payload_are_ignored() -> None:
    payload = ChildEvaluated(
        request_id=uuid.uuid4(),
        organisation_id=uuid.uuid4(),
        family_id=uuid.uuid4(),
        line_id=uuid.uuid4(),
        child_id=uuid.uuid4(),
        outcome="rejected",
        reason="group full",
        evaluated_by="erp",
        evaluator_id="erp-acme",
    )
    raw = json.loads(Envelope.wrap(payload, producer="erp", correlation_id="c").to_bytes())
    raw["tenant_region"] = "eu-west"
    raw["trace"] = {"span": 1}
    raw["payload"]["priority"] = "high"
    raw["payload"]["nested_future"] = [1, 2, 3]
    env = Envelope.from_bytes(json.dumps(raw).encode())
    assert not hasattr(env, "tenant_region")
    assert env.payload_as(ChildEvaluated) == payload
    assert parse_payload(env) == payload


def test_parse_payload_of_unknown_event_type_is_none() -> None:
    raw = {
        "event_id": str(uuid.uuid4()),
        "event_type": "SomethingFromTheFuture",
        "schema_version": 1,
        "occurred_at": "2026-01-01T00:00:00Z",
        "producer": "future",
        "correlation_id": "c",
        "payload": {"anything": True},
    }
    env = Envelope.from_bytes(json.dumps(raw).encode())
    assert env.causation_id is None and env.organisation_id is None
    assert parse_payload(env) is None


def test_payload_as_refuses_the_wrong_event_type() -> None:
    payload = ProbeRecorded(probe_id=uuid.uuid4(), organisation_id=uuid.uuid4(), label="x")
    env = Envelope.wrap(payload, producer="kit", correlation_id="c")
    with pytest.raises(ValueError, match="ProbeRecorded"):
        env.payload_as(CreditReserved)


def test_invalid_payload_is_rejected() -> None:
    env = Envelope.wrap(_request(), producer="planning", correlation_id="c")
    broken = env.model_copy(update={"payload": {**env.payload, "kind": "teleport"}})
    with pytest.raises(ValidationError):
        parse_payload(broken)


def test_request_line_shape_checks() -> None:
    base = dict(line_id=uuid.uuid4(), child_id=uuid.uuid4(), group_id=uuid.uuid4(), day_part_ids=(uuid.uuid4(),))
    with pytest.raises(ValidationError, match="ends_on"):
        RequestLine(**base, starts_on=date(2026, 1, 2), ends_on=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="credit_id"):
        RequestLine(**base, starts_on=date(2026, 1, 2), ends_on=date(2026, 1, 2), payment="credit")


def test_payloads_are_frozen() -> None:
    payload = ProbeRecorded(probe_id=uuid.uuid4(), organisation_id=uuid.uuid4(), label="x")
    with pytest.raises(ValidationError):
        payload.label = "y"  # type: ignore[misc]


def test_kafka_headers() -> None:
    env = Envelope.wrap(_request(), producer="planning", correlation_id="req-42")
    headers = dict(kafka_headers(env))
    assert headers == {
        HEADER_EVENT_TYPE: b"RequestSubmitted",
        HEADER_CORRELATION_ID: b"req-42",
        HEADER_EVENT_ID: str(env.event_id).encode(),
    }
    assert (HEADER_EVENT_TYPE, HEADER_CORRELATION_ID, HEADER_EVENT_ID) == (
        "event_type",
        "correlation_id",
        "event_id",
    )
