"""Shared by the gateway's tests: a real HTTP service (aiohttp) standing in for a domain service."""

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[str, Handler], Awaitable[str]]]:
    """`await serve("/path", handler)` starts a service answering GET /path; its base URL comes back."""
    runners: list[web.AppRunner] = []

    async def start(path: str, handler: Handler) -> str:
        app = web.Application()
        app.router.add_get(path, handler)
        # A handler is cancelled when its caller hangs up, as a real service's stream ends when the gateway closes
        # it: otherwise the clean-up waits for a streaming handler's own end (30 s per streaming test).
        runner = web.AppRunner(app, handler_cancellation=True)
        await runner.setup()
        runners.append(runner)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        return f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]

    yield start
    for runner in runners:
        await runner.cleanup()
