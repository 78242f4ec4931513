"""Pytest fixtures over real infrastructure: local processes by default, testcontainers with TEST_INFRA=docker.

Fixtures: `infra` (endpoints + broker stop/start for fault tests), `fresh_database` (a new empty
database with the kit tables), `stack` (every service as its own process), `gateway` (HTTP client),
`mailpit` (reads what was sent).
"""

import asyncio
import contextlib
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from konnect_devstack import paths
from konnect_devstack.infra import InfraEndpoints, LocalInfra
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
    from konnect_kit.schema import kit_metadata
    from sqlalchemy.ext.asyncio import create_async_engine

    name = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(infra.endpoints.admin_dsn())
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = infra.endpoints.database_url(name)
    engine = create_async_engine(url)
    async with engine.begin() as c:
        await c.run_sync(kit_metadata.create_all)
    await engine.dispose()
    return url


TEST_TRUSTED_PROXIES = '["127.0.0.1", "::1"]'


@pytest.fixture(scope="session")
def stack(infra: InfraHandle) -> Iterator[Stack]:
    # Short retry backoff so poison-message paths finish quickly in tests; everything else as shipped.
    extra = {f"{s.upper()}_CONSUMER_BACKOFF_INITIAL_SECONDS": "0.05"
             for s in ("identity", "planning", "timeline", "messaging", "credits", "notifications")}
    # The tests stand in for a load balancer on loopback: they name each client's address in
    # X-Forwarded-For. Trusted explicitly here; a gateway trusts no proxy unless told to.
    extra["GATEWAY_TRUSTED_PROXIES"] = TEST_TRUSTED_PROXIES
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

    name = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(infra.endpoints.admin_dsn())
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = infra.endpoints.database_url(name)
    await asyncio.to_thread(upgrade_to_head, migrations, url)  # alembic runs its own event loop
    return url


async def new_service_env(infra: InfraHandle, migrations: Any, service: str,
                          topics: dict[str, tuple[str, int]]) -> tuple[str, str, dict[str, str]]:
    """The set-up every service's integration tests share: (database URL, service name, topic names).

    A new migrated database; a unique service name (so its own consumer group and dead-letter topic); and
    its own copy of each topic it reads or writes (`topics`: role -> (catalogue name, partitions)), so a
    running stack never answers this test's events and the test never sees another's.
    """
    from konnect_contracts.topics import dead_letter_topic
    from konnect_kit.kafka import ensure_topics

    suffix = uuid.uuid4().hex[:10]
    url = await new_migrated_database(infra, migrations)
    name = f"{service}-test-{suffix}"
    names = {role: f"test.{topic}.{suffix}" for role, (topic, _) in topics.items()}
    await ensure_topics(infra.endpoints.kafka, [
        *((names[role], partitions) for role, (_, partitions) in topics.items()), (dead_letter_topic(name), 1)])
    return url, name, names


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
            yield client


def internal_headers(role: str | None = None, actor_id: str = "", organisation_id: str | None = None,
                     *, token: str = "dev-internal-token", client_ip: str = "127.0.0.1",
                     session_id: str | None = None) -> dict[str, str]:
    """Headers the gateway would forward: use in service-level tests that call a service directly."""
    from konnect_kit.internal import Caller, forwarded_headers

    who = Caller(role, actor_id, organisation_id, session_id) if role else None  # type: ignore[arg-type]
    return forwarded_headers(token, who, client_ip)
