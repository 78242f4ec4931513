"""Gateway app factory: middleware (correlation, CORS, /me from memory, size limit), errors, routes, upstreams."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from konnect_kit.correlation import CORRELATION_HEADER, CorrelationMiddleware
from konnect_kit.errors import install_error_handlers
from konnect_kit.health import health_router
from konnect_kit.security_headers import SecurityHeadersMiddleware

from gateway import docs
from gateway.access_feed import AccessFeed
from gateway.api import domain_routes, identity_routes, platform
from gateway.auth import TokenVerifier
from gateway.ended_sessions import EndedSessions
from gateway.limits import BodySizeLimit
from gateway.me_from_memory import CacheKeeper, MeFromMemory
from gateway.openapi import install_openapi
from gateway.profile_cache import ProfileCache
from gateway.settings import Settings
from gateway.upstream import Upstream


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    upstreams = {
        name: Upstream(name, getattr(settings, f"{name}_url"), settings.internal_token,
                       settings.upstream_timeout_seconds)
        for name in ("identity", "timeline", "messaging", "planning", "credits", "notifications")
    }

    ended = EndedSessions(settings.access_token_lifetime_seconds)
    tokens = TokenVerifier(settings.jwt_secret, settings.platform_operator_token, ended)
    cache = ProfileCache(ttl=settings.me_cache_ttl_seconds, max_entries=settings.me_cache_max_entries)
    feed = AccessFeed(cache, ended, settings.kafka,
                      check_seconds=settings.access_feed_check_seconds,
                      max_staleness=settings.access_feed_max_staleness_seconds)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await feed.start()  # until it confirms it is current, nothing is answered from memory
        try:
            yield
        finally:
            await feed.stop()
            for upstream in upstreams.values():
                await upstream.close()

    # /docs is the gateway's own page (gateway.docs): Swagger UI from local assets, no CDN.
    app = FastAPI(title="Konnect API", version="1.0.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="The public API of Konnect for parents, staff, organisations and ERPs.")
    app.state.settings = settings
    app.state.rate_windows = {}  # gateway.ratelimit: this instance's per-route windows
    app.state.upstreams = upstreams
    app.state.tokens = tokens
    app.state.profile_cache = cache
    app.state.ended_sessions = ended
    app.state.access_feed = feed
    app.state.cache_keeper = CacheKeeper(cache, fill=settings.me_cache_enabled)
    install_error_handlers(app)
    install_openapi(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # Inside CORS and correlation (added later = outer), so an answer from memory carries their headers.
    if settings.me_cache_enabled:
        app.add_middleware(MeFromMemory, cache=cache, tokens=tokens)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_credentials=True,
                       allow_methods=["*"], allow_headers=["*"], expose_headers=[CORRELATION_HEADER])
    app.add_middleware(CorrelationMiddleware)
    # Outermost, so every answer has the headers (also 401s, 413s and answers from memory). Tokens and
    # personal data come from /api/: never cached; /health and the docs may be.
    app.add_middleware(SecurityHeadersMiddleware, csp=docs.content_security_policy,
                       no_store=lambda path: path.startswith("/api/"))
    app.include_router(docs.router)
    app.include_router(health_router({f"{name}": up.healthy for name, up in upstreams.items()}))
    app.include_router(platform.router)
    app.include_router(identity_routes.router)
    app.include_router(domain_routes.router)
    return app
