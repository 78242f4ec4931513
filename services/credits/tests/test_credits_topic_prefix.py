"""Two deployments on one Kafka cluster, told apart by their topic prefix alone (KONNECT_TOPIC_PREFIX): credits in
one neither reads nor writes the other's topics, and as its own principal it needs only its namespace's ACLs."""

import uuid
from typing import Any

from credits.main import create_app
from konnect_contracts.events.credits import TOPIC as LEDGER_TOPIC
from konnect_devstack.pytest_plugin import eventually, running_app
from konnect_kit.kafka_access import KafkaAccessAdmin, apply_service_access, service_acls
from konnect_kit.settings import dev_kafka_password


async def test_credits_with_one_prefix_neither_reads_nor_writes_the_topics_of_another(credits_env, infra) -> None:
    ours = credits_env
    theirs = await type(ours).create(infra)  # another deployment: its own database and topic prefix
    kafka = infra.endpoints.kafka
    as_itself: dict[str, Any] = {}
    if infra.endpoints.kafka_secured:
        # The deploy step of our namespace: the credits principal gets the catalogue's ACLs on our names only.
        await apply_service_access(kafka, {}, topic_prefix=ours.topic_prefix)
        as_itself = {"kafka_username": "credits", "kafka_password": dev_kafka_password("credits")}
    org, child, credit = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    try:
        async with running_app(create_app(ours.settings(**as_itself))) as client:
            granted = await client.put(f"/credits/{credit}", json=ours.grant_body(org, child, "3"),
                                       headers=ours.operator)
            assert granted.status_code == 200, granted.text
            # The same request in both namespaces, theirs first: only ours reserves.
            theirs_line, ours_line = ours.credit_line(child, credit, "1"), ours.credit_line(child, credit, "1")
            await theirs.publish(ours.wrap(ours.submitted(org, theirs_line)))
            await ours.publish(ours.wrap(ours.submitted(org, ours_line)))
            reserved = await eventually(lambda: _about(ours, "CreditReserved", ours_line.line_id))
            consumer = client.app.state.kit.consumer
            assert all(topic.startswith(ours.topic_prefix) for topic in consumer.subscribed_topics)
            assert consumer.group_id == f"{ours.topic_prefix}credits"
        assert reserved[0].payload["remaining"] == "2"  # one point: theirs never reached us
        assert await _about(ours, "CreditReserved", theirs_line.line_id) == []
        assert [e.event_type for e in await ours.read(LEDGER_TOPIC)] == ["CreditGranted", "CreditReserved"]
        assert await theirs.read(LEDGER_TOPIC) == []  # nothing was written into the other namespace
        assert await ours.fetch("SELECT 1 FROM reservations WHERE line_id = $1", theirs_line.line_id) == []
    finally:
        if infra.endpoints.kafka_secured:
            async with KafkaAccessAdmin(kafka) as admin:
                await admin.delete_acls(service_acls(ours.topic_prefix))


async def _about(env: Any, event_type: str, line_id: uuid.UUID) -> list[Any]:
    return [e for e in await env.read(LEDGER_TOPIC)
            if e.event_type == event_type and e.payload.get("line_id") == str(line_id)]
