"""The skeleton every domain service runs on: app factory with lifespan, dependencies and the runner."""

import argparse
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Protocol

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Receive, Scope, Send

from konnect_kit.consumer import EventConsumer, Subscription
from konnect_kit.correlation import CorrelationMiddleware
from konnect_kit.db import Database, Reader
from konnect_kit.errors import install_error_handlers
from konnect_kit.health import health_router, kafka_reachable
from konnect_kit.housekeeping import Housekeeping
from konnect_kit.http_protocol import CoalescingHttpToolsProtocol
from konnect_kit.lean_reads import LeanReads
from konnect_kit.logging import configure_logging
from konnect_kit.migrations import upgrade_to_head
from konnect_kit.openapi import install_openapi
from konnect_kit.outbox import Outbox, OutboxRelay
from konnect_kit.runtime import NO_TELEMETRY, tune_gc
from konnect_kit.security_headers import SecurityHeadersMiddleware, wanted_headers
from konnect_kit.settings import ServiceSettings

log = logging.getLogger(__name__)


class BackgroundWorker(Protocol):
    """A service's own long-running task (e.g. a mail sender), started and stopped with the app."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class ServiceKit:
    """The infrastructure one service process holds: database, outbox (+ relay), event consumer."""

    settings: ServiceSettings
    database: Database
    outbox: Outbox
    relay: OutboxRelay
    consumer: EventConsumer
    background: list[BackgroundWorker] = field(default_factory=list)

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> "ServiceKit":
        database = Database(settings.database_url, pool_size=settings.database_pool_size,
                            max_overflow=settings.database_max_overflow)
        outbox = Outbox(settings.service_name)
        relay = OutboxRelay(
            database, settings.kafka, client_id=f"{settings.service_name}-relay", topic_prefix=settings.topic_prefix,
            poll_seconds=settings.outbox_poll_seconds, batch_size=settings.outbox_batch_size,
        )
        consumer = EventConsumer(
            database, outbox, kafka=settings.kafka, service=settings.service_name,
            topic_prefix=settings.topic_prefix,
            max_attempts=settings.consumer_max_attempts,
            backoff_initial=settings.consumer_backoff_initial_seconds,
            backoff_max=settings.consumer_backoff_max_seconds, batch_size=settings.consumer_batch_size,
        )
        consumer.topic_refresh_seconds = settings.consumer_topic_refresh_seconds
        housekeeping = Housekeeping(database, outbox_retention=timedelta(days=settings.outbox_retention_days),
                                    inbox_retention=timedelta(days=settings.inbox_retention_days),
                                    every_seconds=settings.housekeeping_seconds)
        return cls(settings, database, outbox, relay, consumer, [housekeeping])

    async def start(self) -> None:
        await self.relay.start()
        await self.consumer.start()
        for worker in self.background:
            await worker.start()

    async def stop(self) -> None:
        # Background workers first: they use the database, which is disposed of last.
        for worker in reversed(self.background):
            await worker.stop()
        # Consumer next: in-flight events finish and may still write outbox rows the relay then sends.
        await self.consumer.stop()
        await self.relay.stop()
        await self.database.dispose()


# Dependencies are `async def` on purpose: FastAPI runs a plain `def` dependency in a worker thread,
# which cost more than the whole database read of a typical request (bench/gateway_me.py).
async def get_kit(request: Request) -> ServiceKit:
    return request.app.state.kit


async def unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per HTTP request; committed after the route returns without error."""
    async with request.app.state.kit.database.transaction() as session:
        yield session


async def read_only(request: Request) -> Reader:
    """The database's Reader for a read-only route (no unit of work: nothing to commit, no BEGIN/COMMIT).
    Not a yield-dependency: each statement takes and gives back its own connection, and FastAPI's exit stack
    for a yield-dependency cost more CPU than /me's two statements (py-spy, PROFILE-read-paths.md round 6)."""
    return request.app.state.kit.database.reader


async def own_units_of_work(request: Request) -> Database:
    """The database for a route that opens its own units of work: it reads on `database.read()` and writes in
    `database.transaction()`, committed before it returns. Nothing is left for FastAPI to commit, so a GET route
    of this kind (opening a conversation marks it read) may take the lean path like a plain read."""
    return request.app.state.kit.database


KitDep = Annotated[ServiceKit, Depends(get_kit)]
# scope="function": commit BEFORE the response is sent. FastAPI's default ends yield-dependencies after
# the response, so a client could see 200 for a write that is not committed yet (or that then fails).
SessionDep = Annotated[AsyncSession, Depends(unit_of_work, scope="function")]
ReaderDep = Annotated[Reader, Depends(read_only)]
DatabaseDep = Annotated[Database, Depends(own_units_of_work)]


class ServiceApp(FastAPI):
    """A service's FastAPI app with its read-only routes answered in front of the middleware stack
    (`LeanReads.front`): the same answers, errors and headers, without the layers' per-request cost."""

    lean_reads: LeanReads | None = None
    # Every service answers with the API's policy on every path (SecurityHeadersMiddleware's defaults).
    security_headers = wanted_headers("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lean = self.lean_reads
        if lean is not None and scope["type"] == "http":
            scope["app"] = self  # as Starlette sets it: dependencies reach the app's state through the request
            if await lean.front(scope, receive, send, security_headers=self.security_headers):
                return
        await super().__call__(scope, receive, send)


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    routers: list[APIRouter],
    subscriptions: Iterable[Subscription] = (),
    register_handlers: Callable[[EventConsumer], None] | None = None,
    background: Callable[[ServiceKit], Iterable[BackgroundWorker]] | None = None,
) -> FastAPI:
    """`subscriptions`: the service's Kafka handlers as data ({PayloadType: handler}; each type's topic comes from
    its contract, under `settings.topic_prefix`);
    `background` builds the service's own workers from the kit (they need its database, ...)."""
    kit = ServiceKit.from_settings(settings)
    kit.consumer.subscribe(subscriptions)
    if register_handlers:
        register_handlers(kit.consumer)
    if background:
        kit.background.extend(background(kit))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await kit.start()
        log.info("service started", extra={"port": settings.http_port})
        try:
            yield
        finally:
            await kit.stop()
            log.info("service stopped")

    # No Swagger UI here: services are internal, and their docs page would load scripts from a CDN.
    app = ServiceApp(title=title, lifespan=lifespan, docs_url=None, redoc_url=None, telemetry=NO_TELEMETRY)
    app.state.kit = kit
    app.add_middleware(CorrelationMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    install_error_handlers(app)
    install_openapi(app)  # uniform error body, security and descriptions on every operation (konnect_kit.openapi)
    # Probes are infrastructure, not API: they stay out of the published document (the gateway has its own).
    app.include_router(health_router({
        "database": kit.database.ping,
        "kafka": lambda: kafka_reachable(settings.kafka),
    }), include_in_schema=False)
    for router in routers:
        app.include_router(router)
    # Read-only GET routes run without FastAPI's per-request machinery (konnect_kit.lean_reads), in front of the
    # middleware stack (ServiceApp); everything else goes through the stack as before.
    routes = [route for router in routers for route in router.routes]
    app.lean_reads = LeanReads(fastapi=app, routes=routes, lean_dependencies=(read_only, own_units_of_work))
    return app


def run_service(settings: ServiceSettings, app_factory: Callable[[], FastAPI], migrations: Path) -> None:
    """`python -m <service> [migrate|serve|all]`: migrations are a pre-start step, then uvicorn."""
    parser = argparse.ArgumentParser(prog=f"python -m {settings.service_name}")
    parser.add_argument("command", nargs="?", default="all", choices=["all", "migrate", "serve"])
    args = parser.parse_args()
    configure_logging(settings.service_name, settings.log_level)
    if args.command in ("all", "migrate"):
        upgrade_to_head(migrations, settings.database_url)
        log.info("migrations at head")
    if args.command in ("all", "serve"):
        serve(app_factory(), settings)


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    tune_gc()  # after the app is built: its objects are frozen out of later collections
    config = uvicorn.Config(
        app, host=settings.http_host, port=settings.http_port, log_config=None,
        timeout_graceful_shutdown=int(settings.shutdown_timeout_seconds), access_log=False,
        timeout_keep_alive=settings.http_keep_alive_seconds,
        # uvloop by name: `asyncio.run(server.serve())` had bypassed uvicorn's loop set-up, so every service ran on
        # the pure-Python selector loop (its socket writes alone were 14% of /me's CPU). The protocol is uvicorn's
        # httptools one, sending an answer's head and body in one write (konnect_kit.http_protocol).
        loop="uvloop", http=CoalescingHttpToolsProtocol,
        # uvicorn's default believes X-Forwarded-For from 127.0.0.1, rewriting the client address before any
        # of our code sees it: a local caller naming a new address per request slipped past the gateway's
        # per-address limits. The gateway decides whom to believe (GATEWAY_TRUSTED_PROXIES); services are internal.
        proxy_headers=False,
        # No `server: uvicorn` on any answer: the public one (the gateway's) should not name its software, and the
        # gateway drops the services' headers but content-type anyway (each one it would still have to parse).
        server_header=False,
    )
    uvicorn.Server(config).run()
