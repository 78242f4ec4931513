"""Gateway app factory: the route table and the services' documents (checked at start), the /api/ forwarder,
FastAPI with its middleware for the rest (docs, health, the document), upstreams and the ended-sessions feed."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from konnect_kit.correlation import CORRELATION_HEADER, CorrelationMiddleware
from konnect_kit.errors import install_error_handlers
from konnect_kit.health import health_router
from konnect_kit.runtime import NO_TELEMETRY
from konnect_kit.security_headers import SecurityHeadersMiddleware
from starlette.types import Receive, Scope, Send

from gateway import docs, route_table
from gateway.access_feed import AccessFeed
from gateway.auth import TokenVerifier
from gateway.ended_sessions import EndedSessions
from gateway.forwarder import API_PREFIX, Forwarder
from gateway.limits import BodySizeLimit
from gateway.openapi import install_openapi, load_documents
from gateway.ratelimit import SlidingWindow
from gateway.settings import Settings
from gateway.streaming import StreamClients
from gateway.upstream import Upstream


class GatewayApp(FastAPI):
    """FastAPI for the gateway's own pages; every /api/ request goes straight to the forwarder (gateway.forwarder),
    which does the edge's work without FastAPI's per-request layers."""

    forwarder: Forwarder | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.forwarder is not None and scope["path"].startswith(API_PREFIX):
            await self.forwarder(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def create_app(settings: Settings | None = None) -> GatewayApp:
    """Raises `RouteTableError` (naming every uncovered operation) when the table and the services'
    documents disagree: the gateway does not start half-routed."""
    settings = settings or Settings()
    table = route_table.load(Path(settings.route_table) if settings.route_table else route_table.DEFAULT_TABLE)
    services = {route.service for route in table.routes} | set(settings.service_urls)
    documents = load_documents(services, Path(settings.service_documents_dir)) if settings.service_documents_dir \
        else load_documents(services)
    route_table.check_coverage(table, documents)
    missing = sorted({route.service for route in table.routes} - set(settings.service_urls))
    if missing:
        raise route_table.RouteTableError(f"no URL for service(s) {', '.join(missing)} (GATEWAY_SERVICE_URLS)")
    upstreams = {name: Upstream(name, url, settings.internal_token, settings.upstream_timeout_seconds)
                 for name, url in settings.service_urls.items()}

    ended = EndedSessions(settings.access_token_lifetime_seconds)
    tokens = TokenVerifier(settings.jwt_secret, settings.platform_operator_token, ended)
    feed = AccessFeed(ended, settings.kafka, settings.topic_prefix)
    stream_clients = StreamClients()  # gateway.streaming: one pool per service for `stream` routes
    rate_windows: dict[str, SlidingWindow] = {}  # gateway.ratelimit: this instance's per-class windows

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await feed.start()
        try:
            yield
        finally:
            await feed.stop()
            for upstream in upstreams.values():
                await upstream.close()
            await stream_clients.close()

    # /docs is the gateway's own page (gateway.docs): Swagger UI from local assets, no CDN.
    app = GatewayApp(title="Konnect API", version="1.0.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                     telemetry=NO_TELEMETRY)
    app.state.settings = settings
    app.state.rate_windows = rate_windows
    app.state.upstreams = upstreams
    app.state.tokens = tokens
    app.state.ended_sessions = ended
    app.state.access_feed = feed
    app.state.route_table = table
    app.state.stream_clients = stream_clients
    install_error_handlers(app)
    install_openapi(app, table, documents)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=True,
                       allow_methods=["*"], allow_headers=["*"], expose_headers=[CORRELATION_HEADER])
    app.add_middleware(CorrelationMiddleware)
    # Outermost, so every answer has the headers (also 401s and 413s). Tokens and personal data come
    # from /api/: never cached; /health and the docs may be.
    app.add_middleware(SecurityHeadersMiddleware, csp=docs.content_security_policy,
                       no_store=lambda path: path.startswith("/api/"))
    app.include_router(docs.router)
    app.include_router(health_router({name: up.healthy for name, up in upstreams.items()}))
    app.forwarder = Forwarder(table, settings, upstreams, tokens, ended, rate_windows, stream_clients)
    return app
