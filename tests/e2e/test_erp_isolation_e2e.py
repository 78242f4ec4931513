"""ERP clients over Kafka are confined to their own organisations, by the broker and by planning.

Organisation A's ERP client reads only A's events (its own topic) and cannot read B's or the platform's; an
evaluation it writes for B's request (even one claiming to be for A) is dead-lettered by planning with the
reason and changes nothing. The positive path (A's ERP evaluates A's request) is in test_planning_e2e.py.
"""

import asyncio
import time
import uuid
from datetime import timedelta
from uuid import UUID

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.errors import TopicAuthorizationFailedError
from e2e_world import OPERATOR, bearer
from kafka_tools import wait_until_consumed
from konnect_contracts.envelope import Envelope, kafka_headers
from konnect_contracts.events.requests import ChildEvaluated, RequestSubmitted
from konnect_devstack.pytest_plugin import eventually
from konnect_kit.dlq import list_dead_letters
from konnect_kit.kafka import KafkaConnection, make_producer
from konnect_kit.kafka_access import ERP_CLIENTS_TOPIC, erp_add
from planning_world import build_planning_world, monday_in, request_settled


async def _read(kafka: KafkaConnection, topic: str, group: str | None, until, timeout: float = 40) -> list[Envelope]:
    """Envelopes on `topic` from the start until `until(envelopes)` holds."""
    consumer = AIOKafkaConsumer(topic, **kafka.client_kwargs(), group_id=group, auto_offset_reset="earliest",
                                enable_auto_commit=False)
    seen: list[Envelope] = []
    try:
        await asyncio.wait_for(consumer.start(), 30)
        deadline = time.monotonic() + timeout
        while not until(seen):
            assert time.monotonic() < deadline, f"{topic}: condition not met, saw {[e.event_type for e in seen]}"
            for records in (await consumer.getmany(timeout_ms=500)).values():
                seen.extend(Envelope.from_bytes(r.value) for r in records)
    finally:
        await consumer.stop()
    return seen


async def _produce(kafka: KafkaConnection, topic: str, envelope: Envelope, key: str) -> None:
    producer = make_producer(kafka, client_id="erp-intruder")
    try:
        await asyncio.wait_for(producer.start(), 30)
        await asyncio.wait_for(producer.send_and_wait(topic, envelope.to_bytes(), key=key.encode(),
                                                      headers=kafka_headers(envelope)), 30)
    finally:
        await producer.stop()


async def _submit(gateway, w) -> str:
    day = monday_in(2) + timedelta(days=2)
    body = {"bookings": [{"starts_on": day.isoformat(), "children": [
        {"child_id": w.children["noor"], "day_part_ids": [w.parts["morning"]]}]}]}
    r = await gateway.post("/api/v1/requests/extra-days", json=body, headers=w.as_parent("eva"))
    assert r.status_code == 201, r.text
    return r.json()["request_id"]


def _submitted(request_id: str):
    return lambda seen: any(e.event_type == "RequestSubmitted" and e.payload["request_id"] == request_id
                            for e in seen)


async def test_an_erp_client_reads_and_evaluates_only_its_own_organisations(gateway, mailpit, infra, stack):
    _needs_broker_security(infra)
    admin = infra.endpoints.kafka
    a = await build_planning_world(gateway, mailpit)
    b = await build_planning_world(gateway, mailpit)
    run = uuid.uuid4().hex[:8]
    erp_a = await erp_add(admin, f"iso-a-{run}", [UUID(a.org)])
    erp_b = await erp_add(admin, f"iso-b-{run}", [UUID(b.org)])
    await wait_until_consumed(admin, ["planning"], [ERP_CLIENTS_TOPIC], strict=True)
    as_a = admin.as_user(erp_a.username, erp_a.password or "")

    request_a, request_b = await _submit(gateway, a), await _submit(gateway, b)

    # A's topic carries A's request and nothing of B; B's request went to B's topic only.
    seen_by_a = await _read(as_a, erp_a.requests_topic, f"{erp_a.group_prefix}test", _submitted(request_a))
    assert {e.organisation_id for e in seen_by_a} == {UUID(a.org)}
    [submitted_b] = [e for e in await _read(admin, erp_b.requests_topic, None, _submitted(request_b))
                     if e.event_type == "RequestSubmitted" and e.payload["request_id"] == request_b]
    # The broker refuses A on B's topic, on the platform's topic, and on a group outside its prefix.
    for topic in (erp_b.requests_topic, "planning.requests.v1", "identity.accounts.v1"):
        with pytest.raises(TopicAuthorizationFailedError):
            await _read(as_a, topic, f"{erp_a.group_prefix}test", lambda seen: False, timeout=10)

    # A evaluates B's request, once honestly labelled, once claiming its own organisation.
    request = submitted_b.payload_as(RequestSubmitted)
    [line] = request.lines
    honest = ChildEvaluated(request_id=request.request_id, organisation_id=request.organisation_id,
                            family_id=request.family_id, line_id=line.line_id, child_id=line.child_id,
                            outcome="accepted", evaluated_by="erp", evaluator_id="intruder")
    forged = honest.model_copy(update={"organisation_id": UUID(a.org)})
    envelopes = [Envelope.wrap(e, producer=erp_a.username, correlation_id=f"intruder-{run}") for e in (honest, forged)]
    # Not on B's topic, not on the platform's: the broker says no.
    for topic in (erp_b.evaluations_topic, "planning.evaluations.v1"):
        with pytest.raises(TopicAuthorizationFailedError):
            await _produce(as_a, topic, envelopes[0], honest.partition_key())
    # On its own topic the broker takes them; planning dead-letters both with the reason.
    for envelope in envelopes:
        await _produce(as_a, erp_a.evaluations_topic, envelope, honest.partition_key())
    ids = {str(e.event_id) for e in envelopes}

    async def dead_lettered() -> list:
        letters = [letter for letter in await list_dead_letters(admin, "planning") if letter.header("event_id") in ids]
        return letters if len(letters) == 2 else []

    letters = await eventually(dead_lettered, timeout=60)
    for letter in letters:
        error = letter.header("dlq_error") or ""
        assert "ForeignEvaluation" in error and f"iso-a-{run}" in error and "not one of its organisations" in error
        assert letter.original_topic == erp_a.evaluations_topic

    # Nothing changed: B's request still waits for an evaluation.
    body = (await gateway.get(f"/api/v1/requests/{request_b}", headers=b.as_parent("eva"))).json()
    assert {line["status"] for child in body["children"] for line in child["lines"]} == {"pending"}


async def test_the_erp_hears_evaluations_made_through_the_api_with_the_platforms_event_ids(
        gateway, mailpit, infra, stack):
    """Planning copies each integrator event to the client's topic in the transaction that publishes it: the
    submission, an evaluation made over HTTP (as the planning office or another system would) and the
    decision arrive, identical to the platform's own events."""
    _needs_broker_security(infra)
    admin = infra.endpoints.kafka
    w = await build_planning_world(gateway, mailpit)
    erp = await erp_add(admin, f"iso-a-{uuid.uuid4().hex[:8]}", [UUID(w.org)])
    await wait_until_consumed(admin, ["planning"], [ERP_CLIENTS_TOPIC], strict=True)
    request_id = await _submit(gateway, w)
    client = (await gateway.post("/api/v1/auth/machine-clients", headers=OPERATOR,
                                 json={"organisation_id": w.org, "name": "Office system"})).json()
    office = (await gateway.post("/api/v1/auth/machine-token", json={
        "client_id": client["client_id"], "client_secret": client["client_secret"]})).json()
    evaluated = await gateway.post(f"/api/v1/requests/{request_id}/children/{w.children['noor']}/evaluate",
                                   json={"outcome": "rejected", "reason": "Groep vol"}, headers=bearer(office))
    assert evaluated.status_code == 200, evaluated.text
    await request_settled(gateway, w.as_parent("eva"), request_id)

    def of_request(seen: list[Envelope]) -> list[Envelope]:
        return [e for e in seen if e.payload.get("request_id") == request_id]

    as_erp = admin.as_user(erp.username, erp.password or "")
    copies = of_request(await _read(as_erp, erp.requests_topic, f"{erp.group_prefix}test", lambda seen: {
        e.event_type for e in of_request(seen)} >= {"RequestSubmitted", "ChildEvaluated", "RequestDecided"}))
    assert [e.event_type for e in copies] == ["RequestSubmitted", "ChildEvaluated", "RequestDecided"]
    [evaluation] = [e.payload_as(ChildEvaluated) for e in copies if e.event_type == "ChildEvaluated"]
    assert (evaluation.outcome, evaluation.reason) == ("rejected", "Groep vol")
    originals = of_request(await _read(admin, "planning.requests.v1", None, lambda seen: {
        e.event_type for e in of_request(seen)} >= {"RequestSubmitted", "RequestDecided"}))
    originals += of_request(await _read(admin, "planning.evaluations.v1", None, lambda seen: bool(of_request(seen))))
    assert {e.event_id for e in copies} == {e.event_id for e in originals}  # the same events, not re-made


def _needs_broker_security(infra) -> None:
    if not infra.endpoints.kafka_secured:
        pytest.skip("the Docker test broker runs without SASL and ACLs (see konnect_devstack.docker_infra)")
