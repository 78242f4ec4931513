"""Forwarding an event stream: each event reaches the client when the service sends it, not when the stream ends."""

import asyncio

from aiohttp import web
from gateway.upstream import Upstream
from konnect_kit.internal import Caller

PARENT = Caller("parent", "a1", "o1", "s1")


async def serve(handler) -> tuple[web.AppRunner, str]:  # type: ignore[no-untyped-def]
    app = web.Application()
    app.router.add_get("/events", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def test_an_event_stream_is_passed_on_event_by_event() -> None:
    second_may_go = asyncio.Event()

    async def events(request: web.Request) -> web.StreamResponse:
        assert request.headers["x-konnect-actor-id"] == "a1"
        response = web.StreamResponse(headers={"content-type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b"data: first\n\n")
        await second_may_go.wait()
        await response.write(b"data: second\n\n")
        return response

    runner, url = await serve(events)
    upstream = Upstream("notifications", url, "internal", timeout=0.5)
    try:
        answer = await upstream.call("GET", "/events", PARENT, accept="text/event-stream")
        assert answer.status_code == 200 and answer.stream is not None
        assert await anext(answer.stream) == b"data: first\n\n"  # while the service still holds the stream
        await asyncio.sleep(0.7)  # longer than the call timeout: a listening stream is not cut off
        second_may_go.set()
        assert await anext(answer.stream) == b"data: second\n\n"
        await answer.stream.aclose()
    finally:
        await upstream.close()
        await runner.cleanup()


async def test_a_refusal_to_an_event_stream_request_is_an_ordinary_answer() -> None:
    async def refuse(request: web.Request) -> web.Response:
        return web.json_response({"error": {"code": "unauthorized"}}, status=401)

    runner, url = await serve(refuse)
    upstream = Upstream("notifications", url, "internal", timeout=5)
    try:
        answer = await upstream.call("GET", "/events", PARENT, accept="text/event-stream")
        assert (answer.status_code, answer.stream) == (401, None)
        assert b"unauthorized" in answer.content
        plain = await upstream.call("GET", "/events", PARENT)  # no EventSource: read whole as before
        assert plain.status_code == 401 and plain.stream is None
    finally:
        await upstream.close()
        await runner.cleanup()
