"""A test session alone on the infrastructure drops what earlier sessions made for their tests, and nothing else."""

import re
import uuid
from typing import Any

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient
from konnect_devstack.infra import _TEST_DATABASE, _TEST_TOPIC, forget_earlier_test_runs, new_database
from konnect_devstack.pytest_plugin import InfraHandle, eventually, new_topic_prefix, service_topics
from konnect_kit.topics import ensure_topics


async def test_the_patterns_name_what_the_harness_makes_and_nothing_of_the_stack(infra: InfraHandle) -> None:
    database = (await new_database(infra.endpoints)).rsplit("/", 1)[1]
    prefix = await new_topic_prefix(infra, service_topics("planning")[:1])
    assert _TEST_DATABASE.fullmatch(database)
    assert _TEST_TOPIC.match(prefix + "planning.requests.v1")
    assert _TEST_TOPIC.match(f"k{uuid.uuid4().hex[:10]}.probe.v1")  # the kit's own tests' prefix
    # The stack's databases and topics, and ERP clients' topics, are never taken for a test's.
    for name in ("konnect_identity", "konnect_planning", "t_" + "0" * 13, "postgres", "template1"):
        assert not _TEST_DATABASE.fullmatch(name), name
    for topic in ("planning.requests.v1", "erp.regenboog.requests.v1", "dlq.planning", "__consumer_offsets",
                  "tenant.x.v1"):
        assert not _TEST_TOPIC.match(topic), topic


async def test_earlier_databases_and_topics_go_the_others_stay(infra: InfraHandle) -> None:
    tag = uuid.uuid4().hex[:8]
    endpoints = infra.endpoints
    admin = await asyncpg.connect(endpoints.admin_dsn())
    try:
        for name in (f"t_{tag}0001", f"t_{tag}0002", f"keep_{tag}"):
            await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    # A connection left open on one of them (a session killed mid-test) does not stop the drop.
    left_open = await asyncpg.connect(endpoints.database_url(f"t_{tag}0001").replace("+asyncpg", ""))
    made = {f"t{tag}01.a.v1", f"t{tag}01.b.v1", f"keep{tag}.a.v1"}
    await ensure_topics(endpoints.kafka, [(name, 1) for name in made])
    kafka = AIOKafkaAdminClient(**endpoints.kafka.client_kwargs(), client_id="cleanup-test")
    await kafka.start()
    try:
        async def ours() -> set[str]:
            return {t for t in await kafka.list_topics() if tag in t}

        # The broker's metadata shows a topic a moment after the controller created it.
        await eventually(lambda: _equal(ours(), made))

        dropped, deleted = await forget_earlier_test_runs(
            endpoints, databases=re.compile(f"t_{tag}[0-9]{{4}}"), topics=re.compile(f"t{tag}[0-9]{{2}}\\."))

        assert (dropped, deleted) == (2, 2)
        assert left_open.is_closed() or not await _alive(left_open)
        admin = await asyncpg.connect(endpoints.admin_dsn())
        try:
            names = {r[0] for r in await admin.fetch("SELECT datname FROM pg_database WHERE datname LIKE $1",
                                                     f"%{tag}%")}
            assert names == {f"keep_{tag}"}
            await admin.execute(f'DROP DATABASE "keep_{tag}"')
        finally:
            await admin.close()
        # Deleting is asynchronous in the broker: its metadata drops the topics a moment later.
        await eventually(lambda: _equal(ours(), {f"keep{tag}.a.v1"}))
        await kafka.delete_topics([f"keep{tag}.a.v1"])
    finally:
        await kafka.close()


async def _equal(found: Any, wanted: set[str]) -> bool:
    return await found == wanted


async def _alive(connection: asyncpg.Connection) -> bool:
    try:
        await connection.fetchval("SELECT 1")
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        return False
    return True
