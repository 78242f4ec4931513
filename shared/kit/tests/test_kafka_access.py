"""Kafka authentication and ACLs on the real broker: no anonymous or wrong-password client gets in, and a
service principal reaches only the topics the contract catalogue gives it."""

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import GroupAuthorizationFailedError, KafkaConnectionError, TopicAuthorizationFailedError
from konnect_contracts.envelope import Envelope, kafka_headers
from konnect_contracts.events.platform import ProbeRecorded
from konnect_contracts.topics import TOPICS, topic_by_name
from konnect_kit.kafka import KafkaConnection, make_producer
from konnect_kit.kafka_access import (
    GROUP,
    LITERAL,
    PREFIXED,
    READ,
    TOPIC,
    WRITE,
    Acl,
    KafkaAccessAdmin,
    apply_service_access,
    dev_service_passwords,
    service_acls,
)

ACCOUNTS = "identity.accounts.v1"


def test_the_acl_table_is_the_catalogue() -> None:
    acls = set(service_acls())
    readers = {a.principal for a in acls if a.resource_name == ACCOUNTS and a.operation == READ}
    writers = {a.principal for a in acls if a.resource_name == ACCOUNTS and a.operation == WRITE}
    assert (readers, writers) == ({"notifications"}, {"identity"})  # single-use tokens: nobody else
    for spec in TOPICS:
        assert {a.principal for a in acls if a.resource_name == spec.name and a.operation == READ} == set(
            spec.consumers)
        assert {a.principal for a in acls if a.resource_name == spec.name and a.operation == WRITE} == set(
            spec.producers)
    assert Acl("planning", GROUP, "planning", LITERAL, READ) in acls
    assert not any(a.principal == "gateway" and a.resource_type == GROUP for a in acls)  # reads without a group
    assert topic_by_name("planning.evaluations.v1").producers == ("planning",)  # ERPs write their own topics


def test_a_prefixed_deployment_gets_the_same_table_on_its_own_names() -> None:
    plain, staging = set(service_acls()), set(service_acls("staging."))
    assert len(plain) == len(staging)
    for acl in plain:  # every binding again, on the prefixed name; never a PREFIXED grant on a whole namespace
        prefixed = Acl(acl.principal, acl.resource_type, f"staging.{acl.resource_name}", acl.pattern_type,
                       acl.operation)
        assert prefixed in staging
    assert Acl("planning", GROUP, "staging.planning", LITERAL, READ) in staging
    assert Acl("planning", TOPIC, "staging.erp.", PREFIXED, WRITE) in staging  # every ERP client of that deployment
    assert {a.resource_name for a in staging if a.pattern_type == PREFIXED} == {"staging.erp."}


async def _produce(kafka: KafkaConnection, topic: str) -> None:
    # A well-formed event of a type no consumer of the real topics handles: what gets through harms nobody.
    envelope = Envelope.wrap(ProbeRecorded(probe_id=uuid.uuid4(), organisation_id=uuid.uuid4(), label="acl"),
                             producer="acl-test", correlation_id="acl-test")
    producer = make_producer(kafka, client_id="acl-test")
    try:
        await asyncio.wait_for(producer.start(), 30)
        await asyncio.wait_for(producer.send_and_wait(topic, envelope.to_bytes(), key=b"k",
                                                      headers=kafka_headers(envelope)), 30)
    finally:
        await producer.stop()


async def _subscribe_and_poll(kafka: KafkaConnection, topic: str, group: str) -> None:
    consumer = AIOKafkaConsumer(topic, **kafka.client_kwargs(), group_id=group, enable_auto_commit=False)
    try:
        await asyncio.wait_for(consumer.start(), 30)
        await asyncio.wait_for(consumer.getmany(timeout_ms=2000), 30)
    finally:
        await consumer.stop()


async def test_an_anonymous_client_is_refused(infra) -> None:
    _needs_broker_security(infra)
    # The verified attack: a hand-made ChildEvaluated from a client without credentials.
    producer = AIOKafkaProducer(bootstrap_servers=infra.endpoints.kafka_bootstrap, request_timeout_ms=5000)
    with pytest.raises(KafkaConnectionError):
        await asyncio.wait_for(producer.start(), 30)
    await producer.stop()


async def test_a_wrong_password_is_refused(infra) -> None:
    _needs_broker_security(infra)
    with pytest.raises(KafkaConnectionError):
        await _produce(infra.endpoints.kafka_as("planning", "not-the-password"), "planning.requests.v1")


async def test_a_service_reads_and_writes_only_what_the_catalogue_gives_it(infra) -> None:
    _needs_broker_security(infra)
    planning = infra.endpoints.kafka_as("planning")
    await _produce(planning, "planning.requests.v1")  # its own topic: fine
    with pytest.raises(TopicAuthorizationFailedError):  # identity's topic
        await _produce(planning, "identity.directory.v1")
    with pytest.raises(TopicAuthorizationFailedError):  # single-use tokens: notifications only
        await _subscribe_and_poll(planning, ACCOUNTS, "planning")
    with pytest.raises(GroupAuthorizationFailedError):  # its own topic, but another service's group
        await _subscribe_and_poll(planning, "planning.requests.v1", "notifications")
    await _subscribe_and_poll(infra.endpoints.kafka_as("notifications"), ACCOUNTS, "notifications")
    # Planning does not even see that the topic exists.
    probe = AIOKafkaConsumer(**planning.client_kwargs(), group_id=None)
    await probe.start()
    try:
        assert ACCOUNTS not in await probe.topics() and "planning.requests.v1" in await probe.topics()
    finally:
        await probe.stop()


async def test_applying_the_table_again_adds_what_is_missing_and_removes_what_is_not_in_it(infra) -> None:
    _needs_broker_security(infra)
    stray = Acl("credits", TOPIC, ACCOUNTS, LITERAL, READ)
    wanted = Acl("notifications", TOPIC, ACCOUNTS, LITERAL, READ)
    async with KafkaAccessAdmin(infra.endpoints.kafka) as admin:
        await admin.create_acls([stray])
        await admin.delete_acls([wanted])
        assert stray in await admin.acls_of("credits") and wanted not in await admin.acls_of("notifications")
    await apply_service_access(infra.endpoints.kafka, dev_service_passwords())
    async with KafkaAccessAdmin(infra.endpoints.kafka) as admin:
        assert stray not in await admin.acls_of("credits") and wanted in await admin.acls_of("notifications")


def _needs_broker_security(infra) -> None:
    if not infra.endpoints.kafka_secured:
        pytest.skip("the Docker test broker runs without SASL and ACLs (see konnect_devstack.docker_infra)")


def test_each_service_connects_as_itself_and_production_refuses_the_development_password() -> None:
    from gateway.settings import Settings as GatewaySettings
    from konnect_kit.settings import ServiceSettings

    kafka = ServiceSettings(service_name="planning").kafka
    assert (kafka.username, kafka.password, kafka.security_protocol) == (
        "planning", "dev-kafka-planning", "SASL_PLAINTEXT")
    assert "dev-kafka-planning" not in repr(kafka)  # never logged
    assert kafka.client_kwargs()["sasl_mechanism"] == "SCRAM-SHA-512"
    assert GatewaySettings().kafka.username == "gateway"
    with pytest.raises(ValueError, match="kafka_password"):
        ServiceSettings(environment="production", internal_token="real-token")
    with pytest.raises(ValueError, match="kafka_password"):
        GatewaySettings(environment="production", internal_token="a", platform_operator_token="b",
                        jwt_secret="c" * 40)
    ok = ServiceSettings(environment="production", internal_token="real-token", kafka_password="real",
                         kafka_security_protocol="SASL_SSL")
    assert ok.kafka.client_kwargs()["ssl_context"] is not None
