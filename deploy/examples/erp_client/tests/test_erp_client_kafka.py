"""The example ERP against real Kafka, as its own registered principal: a RequestSubmitted goes into its
requests topic, its ChildEvaluated events come out on its evaluations topic."""

import asyncio
import uuid
from datetime import date
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from erp_client.client import Config, ErpClient
from erp_client.rule import Rule, evaluation_event_id
from konnect_contracts import Envelope, kafka_headers
from konnect_contracts.events.requests import ChildEvaluated, RequestLine, RequestSubmitted
from konnect_devstack.pytest_plugin import eventually
from konnect_kit.kafka_access import erp_add


async def test_submitted_request_is_evaluated_on_the_evaluations_topic(infra: Any) -> None:
    bootstrap = infra.endpoints.kafka
    organisation = uuid.uuid4()
    accepted_child, rejected_child = uuid.uuid4(), uuid.uuid4()
    request = RequestSubmitted(
        request_id=uuid.uuid4(), organisation_id=organisation, family_id=uuid.uuid4(), kind="extra_day",
        submitted_by_account_id=uuid.uuid4(),
        lines=tuple(RequestLine(line_id=uuid.uuid4(), child_id=child, group_id=uuid.uuid4(),
                                starts_on=date(2026, 3, 11), ends_on=date(2026, 3, 11), day_part_ids=(uuid.uuid4(),))
                    for child in (accepted_child, rejected_child)),
    )
    submitted = Envelope.wrap(request, producer="planning", correlation_id="test-erp-example")

    # A client of its own, registered as the operator would: its own user, topics and ACLs, in a deployment with
    # a topic prefix (the client connects as itself, so the broker's ACLs must cover the prefixed names).
    prefix = f"t{uuid.uuid4().hex[:10]}."
    credentials = await erp_add(bootstrap, f"t{uuid.uuid4().hex[:10]}", [organisation], topic_prefix=prefix)
    config = Config(client_id=credentials.client_id, password=credentials.password or "", topic_prefix=prefix,
                    bootstrap_servers=bootstrap.bootstrap_servers,
                    rule=Rule(reject_children=frozenset({rejected_child})), auto_offset_reset="latest")
    client, stop = ErpClient(config), asyncio.Event()
    task = asyncio.create_task(client.run(stop))
    reader = AIOKafkaConsumer(credentials.evaluations_topic, **bootstrap.client_kwargs(), auto_offset_reset="latest",
                              enable_auto_commit=False)
    await reader.start()
    try:
        await asyncio.wait_for(client.ready.wait(), 60)
        await eventually(reader.assignment)  # without a group the reader takes every partition, once known
        for partition in reader.assignment():
            await reader.position(partition)  # pin "latest" before anything is produced

        producer = AIOKafkaProducer(**bootstrap.client_kwargs(), acks="all")
        await producer.start()
        try:
            # Delivered twice, as after a crash between producing and committing: the copies are identical.
            for _ in range(2):
                # Where planning copies the organisation's integrator events for this client.
                await producer.send_and_wait(credentials.requests_topic, value=submitted.to_bytes(),
                                             key=request.partition_key().encode(), headers=kafka_headers(submitted))
        finally:
            await producer.stop()

        seen: list[Envelope] = []

        async def both_copies() -> bool:
            for records in (await reader.getmany(timeout_ms=200)).values():
                envelopes = [Envelope.from_bytes(record.value) for record in records]
                seen.extend(e for e in envelopes if e.causation_id == submitted.event_id)
            return len(seen) == 4

        await eventually(both_copies, timeout=30)
    finally:
        await reader.stop()
        stop.set()
        await asyncio.wait_for(task, 30)

    outcomes = {e.payload_as(ChildEvaluated).child_id: e.payload_as(ChildEvaluated) for e in seen}
    assert outcomes[accepted_child].outcome == "accepted" and outcomes[accepted_child].reason is None
    assert outcomes[rejected_child].outcome == "rejected" and outcomes[rejected_child].reason == "Groep vol"
    assert {(o.evaluated_by, o.evaluator_id) for o in outcomes.values()} == {("erp", "example-erp")}
    # The redelivery produced the very same events (same ids), which Konnect's inbox drops.
    assert sorted(str(e.event_id) for e in seen) == sorted(
        2 * [str(evaluation_event_id(submitted.event_id, line.line_id)) for line in request.lines])
    assert {e.correlation_id for e in seen} == {"test-erp-example"}
    assert client.evaluated_total == 4
