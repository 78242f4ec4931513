"""Pytest fixtures over real infrastructure: local processes by default, testcontainers with TEST_INFRA=docker.

Fixtures: `infra` (endpoints + broker stop/start for fault tests), `fresh_database` (a new empty
database with the kit tables), `stack` (every service as its own process), `gateway` (HTTP client),
`mailpit` (reads what was sent). `ServiceEnv` is an in-process service's own database and topic prefix
(its own Kafka namespace: KONNECT_TOPIC_PREFIX), with the fixtures every service's tests take it from.
"""

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import asyncpg
import httpx
import pytest

from konnect_devstack import paths
from konnect_devstack.infra import InfraEndpoints, LocalInfra, forget_earlier_test_runs, new_database
from konnect_devstack.processes import pid_alive
from konnect_devstack.profiles import test_profile
from konnect_devstack.stack import Stack


class InfraHandle:
    """What a test sees of the infrastructure, whichever way it was started."""

    def __init__(self, endpoints: InfraEndpoints, local: LocalInfra | None) -> None:
        self.endpoints = endpoints
        self.local = local  # None when the infrastructure runs in containers (TEST_INFRA=docker)


class PrivateKafka:
    """A broker of its own for fault tests: they stop and restart it without disturbing other tests."""

    def __init__(self) -> None:
        from konnect_devstack.infra import Kafka
        from konnect_devstack.profiles import fault_profile

        self.kafka = Kafka(fault_profile())
        self.bootstrap = self.kafka.bootstrap
        self.connection = self.kafka.admin  # the admin: this broker has no service principals

    async def stop(self) -> None:
        await asyncio.to_thread(self.kafka.stop)

    async def start(self) -> None:
        # In a thread: the readiness probe runs its own event loop.
        await asyncio.to_thread(self.kafka.start)


@pytest.fixture(scope="session")
def private_kafka(infra: InfraHandle) -> Iterator[PrivateKafka]:
    if infra.local is None:
        pytest.skip("fault tests with a stopped broker run on the local-process harness only")
    broker = PrivateKafka()
    broker.kafka.start()
    yield broker
    broker.kafka.stop()


def _leases() -> Path:
    path = paths.run_dir("test") / "leases"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _started(pid: int) -> str | None:
    """The process's start time (clock ticks since boot): tells a live session from a reused pid."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _take_lease() -> Path:
    lease = _leases() / str(os.getpid())
    lease.write_text(_started(os.getpid()) or "")
    return lease


def _other_leases() -> list[Path]:
    """Leases of other test sessions still running (a killed session's lease, or a reused pid, does not count)."""
    live = []
    for lease in _leases().iterdir():
        if not lease.name.isdigit() or int(lease.name) == os.getpid():
            continue
        if pid_alive(int(lease.name)) and lease.read_text() == (_started(int(lease.name)) or "?"):
            live.append(lease)
        else:
            lease.unlink(missing_ok=True)
    return live


@pytest.fixture(scope="session")
def infra() -> Iterator[InfraHandle]:
    mode = os.environ.get("TEST_INFRA", "local")
    keep = os.environ.get("KONNECT_KEEP_INFRA") == "1"
    if mode == "docker":
        from konnect_devstack.docker_infra import DockerInfra, docker_engine_available

        if not docker_engine_available():
            pytest.exit("TEST_INFRA=docker but no Docker engine answers a ping", returncode=3)
        docker = DockerInfra()
        handle = InfraHandle(docker.up(), None)
        yield handle
        docker.down()
        return
    local = LocalInfra(test_profile())
    lease = _take_lease()
    handle = InfraHandle(local.up(), local)
    if not _other_leases():
        # Alone on the infrastructure: what earlier sessions made for their tests is left over.
        asyncio.run(forget_earlier_test_runs(handle.endpoints))
    yield handle
    lease.unlink(missing_ok=True)
    # Several test sessions may share the infrastructure: the last one out stops it.
    if not keep and not _other_leases():
        for spec in Stack(test_profile(), handle.endpoints).specs:
            Stack(test_profile(), handle.endpoints).stop(spec)
        local.down()


@pytest.fixture
async def fresh_database(infra: InfraHandle) -> str:
    """A brand-new database with the kit tables; returns its SQLAlchemy URL."""
    return await new_database(infra.endpoints, kit_tables=True)


TEST_TRUSTED_PROXIES = '["127.0.0.1", "::1"]'


@pytest.fixture(scope="session")
def stack(infra: InfraHandle) -> Iterator[Stack]:
    # Short retry backoff so poison-message paths finish quickly in tests; everything else as shipped.
    extra = {f"{s.upper()}_CONSUMER_BACKOFF_INITIAL_SECONDS": "0.05"
             for s in ("identity", "planning", "timeline", "messaging", "credits", "notifications")}
    # The tests stand in for a load balancer on loopback: they name each client's address in
    # X-Forwarded-For. Trusted explicitly here; a gateway trusts no proxy unless told to.
    extra["GATEWAY_TRUSTED_PROXIES"] = TEST_TRUSTED_PROXIES
    # Each browser test names its own client address, so the portal's logins do not share one rate-limit bucket.
    extra["WEB_TRUSTED_PROXIES"] = "127.0.0.1,::1"
    # An ERP client registered by a test has its evaluations topic found within a second, not ten.
    extra["PLANNING_CONSUMER_TOPIC_REFRESH_SECONDS"] = "1"
    services = Stack(test_profile(), infra.endpoints, extra_env=extra)
    services.up()
    yield services  # stopped with the infrastructure by the last session out


@pytest.fixture
async def gateway(stack: Stack) -> Any:
    from konnect_devstack.stack import GATEWAY

    async with httpx.AsyncClient(base_url=stack.url(GATEWAY), timeout=30) as client:
        yield client


class Mailpit:
    def __init__(self, api: str) -> None:
        self.api = api

    def messages_to(self, address: str) -> list[dict[str, Any]]:
        response = httpx.get(f"{self.api}/api/v1/search", params={"query": f"to:{address}"}, timeout=10)
        response.raise_for_status()
        return response.json()["messages"]

    def count(self, address: str, subject: str = "") -> int:
        """How many mails to `address` (with `subject` in the subject) arrived; not capped like a listing."""
        query = f"to:{address}" + (f' subject:"{subject}"' if subject else "")
        response = httpx.get(f"{self.api}/api/v1/search", params={"query": query, "limit": 1}, timeout=10)
        response.raise_for_status()
        return int(response.json()["messages_count"])

    def message(self, message_id: str) -> dict[str, Any]:
        response = httpx.get(f"{self.api}/api/v1/message/{message_id}", timeout=10)
        response.raise_for_status()
        return response.json()


@pytest.fixture(scope="session")
def mailpit(infra: InfraHandle) -> Mailpit:
    return Mailpit(infra.endpoints.mailpit_api)


async def eventually(check: Callable[[], Any], *, timeout: float = 20.0, interval: float = 0.1) -> Any:
    """Wait with a deadline (never a fixed sleep): returns the first truthy result of `check`."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")


async def new_migrated_database(infra: InfraHandle, migrations: Any) -> str:
    """A new database at the service's migration head; returns its URL (for fixtures of any scope)."""
    from konnect_kit.migrations import upgrade_to_head

    url = await new_database(infra.endpoints)
    await asyncio.to_thread(upgrade_to_head, migrations, url)  # alembic runs its own event loop
    return url


def service_topics(service: str) -> list[Any]:
    """The catalogue topics `service` produces or consumes, and its dead-letter topic (as `TopicSpec`s)."""
    from konnect_contracts.topics import TopicSpec, all_topic_specs, dead_letter_topic

    specs = [s for s in all_topic_specs() if service in s.producers or service in s.consumers]
    dead_letters = dead_letter_topic(service)
    if not any(s.name == dead_letters for s in specs):  # a service the catalogue does not know (kit tests)
        specs.append(TopicSpec(dead_letters, "key of the original message", 1, "test dead letters", ()))
    return specs


async def new_topic_prefix(infra: InfraHandle, specs: Any) -> str:
    """A topic prefix no one else uses, with these catalogue topics (`TopicSpec`s) created under it: a
    deployment's namespace of its own on the shared broker (konnect_kit.topics)."""
    from konnect_kit.topics import create_deployment_topics

    prefix = f"t{uuid.uuid4().hex[:10]}."
    await create_deployment_topics(infra.endpoints.kafka, prefix, specs=list(specs))
    return prefix


@dataclass
class ServiceEnv:
    """One service under test with its own corner of the real infrastructure: a migrated database of its own and
    a topic prefix of its own, so its topics, consumer group and dead-letter topic are its own. A running stack
    never answers its events, and it never sees another test's.

    A service's conftest subclasses it (`service`, `migrations`, `settings_type`, and `settings_values` for
    settings of its own) and takes its fixtures from `fixtures()`; the subclass also carries the builders that
    the service's tests share (a conftest is not importable).
    """

    service: ClassVar[str]
    migrations: ClassVar[Path]
    settings_type: ClassVar[type]

    infra: InfraHandle
    database_url: str
    topic_prefix: str

    @classmethod
    async def create(cls: type["E"], infra: InfraHandle) -> "E":
        url = await new_migrated_database(infra, cls.migrations)
        return cls(infra, url, await new_topic_prefix(infra, service_topics(cls.service)))

    @classmethod
    def fixtures(cls, name: str) -> tuple[Any, Any]:
        """Two fixtures: `name` (a new environment per test) and `shared_env` (one per module, for tests that each
        use their own ids: saves a database, topics and a consumer group join per test)."""

        async def per_test(infra: InfraHandle) -> Any:
            return await cls.create(infra)

        async def per_module(infra: InfraHandle) -> Any:
            return await cls.create(infra)

        return pytest.fixture(name=name)(per_test), pytest.fixture(name="shared_env", scope="module")(per_module)

    def settings_values(self) -> dict[str, Any]:
        """The service's own settings for tests (SMTP, ...); extended by subclasses."""
        return {}

    def settings(self, **overrides: Any) -> Any:
        values: dict[str, Any] = {
            "database_url": self.database_url, **self.infra.endpoints.kafka_settings(),
            "topic_prefix": self.topic_prefix, "consumer_backoff_initial_seconds": 0.05, "outbox_poll_seconds": 0.2,
            **self.settings_values(),
        }
        return self.settings_type(**{**values, **overrides})

    def topic(self, topic: Any) -> str:
        """The Kafka name of a catalogue topic (spec, event, event type or name) in this environment."""
        from konnect_kit.topics import topic_name

        return topic_name(topic, self.topic_prefix)

    async def publish(self, *events: Any, producer: str = "test", to: Any = None) -> list[Any]:
        """Produce events (payloads, or envelopes) as their producer's relay does: envelope bytes, the payload's
        key and the contract headers, on the topic the contract names (or `to`) in this environment."""
        from aiokafka import AIOKafkaProducer
        from konnect_contracts.envelope import Envelope, kafka_headers
        from konnect_contracts.registry import EVENT_TYPES

        envelopes = [e if isinstance(e, Envelope) else Envelope.wrap(
            e, producer=producer, correlation_id=f"test-{uuid.uuid4().hex[:8]}") for e in events]
        kafka = AIOKafkaProducer(**self.infra.endpoints.kafka.client_kwargs(), acks="all", linger_ms=5)
        await kafka.start()
        try:
            sends = []
            for envelope in envelopes:
                payload = envelope.payload_as(EVENT_TYPES[envelope.event_type])
                sends.append(await kafka.send(self.topic(to or payload), value=envelope.to_bytes(),
                                              key=payload.partition_key().encode(), headers=kafka_headers(envelope)))
            await asyncio.gather(*sends)
        finally:
            await kafka.stop()
        return envelopes

    async def read(self, topic: Any) -> list[Any]:
        """Every event on a topic of this environment so far, read from the start."""
        from aiokafka import AIOKafkaConsumer, TopicPartition
        from konnect_contracts.envelope import Envelope

        name = self.topic(topic)
        consumer = AIOKafkaConsumer(**self.infra.endpoints.kafka.client_kwargs(), enable_auto_commit=False,
                                    group_id=None)
        await consumer.start()
        try:
            async def partitions() -> list[TopicPartition]:
                found = consumer.partitions_for_topic(name)
                if not found:
                    await consumer._client.force_metadata_update()  # metadata of a topic created a moment ago
                return [TopicPartition(name, p) for p in sorted(found or ())]

            parts = await eventually(partitions, timeout=15)
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


E = TypeVar("E", bound=ServiceEnv)


async def fetch_rows(database_url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    """Rows of one query on a test database, outside any app (for assertions)."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url).set(drivername="postgresql")
    conn = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


@pytest.fixture
async def migrated_database(infra: InfraHandle) -> Any:
    """Factory: `await migrated_database(MIGRATIONS)` → URL of a new database at the service's head."""

    async def make(migrations: Any) -> str:
        return await new_migrated_database(infra, migrations)

    return make


@contextlib.asynccontextmanager
async def running_app(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A service app in-process with its lifespan (database, outbox relay, consumer) running."""
    async with app.router.lifespan_context(app):
        # Like a real server: an unhandled error becomes the 500 answer rather than an exception in the test.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            client.app = app  # type: ignore[attr-defined]  # tests reach the kit (database, consumer) through it
            yield client


def internal_headers(role: str | None = None, actor_id: str = "", organisation_id: str | None = None,
                     *, token: str = "dev-internal-token", client_ip: str = "127.0.0.1",
                     session_id: str | None = None) -> dict[str, str]:
    """Headers the gateway would forward: use in service-level tests that call a service directly."""
    from konnect_kit.internal import Caller, forwarded_headers

    who = Caller(role, actor_id, organisation_id, session_id) if role else None  # type: ignore[arg-type]
    return forwarded_headers(token, who, client_ip)


async def apply_events(app: Any, handlers: Any, *events: Any, producer: str = "identity") -> None:
    """Directory (or other) events straight into an in-process service's handlers (`{PayloadType: handler}`), in
    one transaction, as its consumer would apply them: for service-level tests that need the read models filled."""
    from konnect_contracts.envelope import Envelope
    from konnect_kit.consumer import EventContext

    kit = app.state.kit
    async with kit.database.transaction() as session:
        for event in events:
            envelope = Envelope.wrap(event, producer=producer, correlation_id="test")
            await handlers[type(event)](EventContext(session, envelope, kit.outbox), event)
