"""Relaying a `stream` route: each event reaches the client when the service sends it, the session's end closes it."""

import asyncio
from typing import Any

from aiohttp import web
from gateway.ended_sessions import EndedSessions
from gateway.streaming import SESSION_ENDED, StreamClients, relay
from gateway.upstream import Upstream
from yarl import URL


class Client:
    """The ASGI side: what the gateway sends to the caller, and a caller that stays until told to leave."""

    def __init__(self) -> None:
        self.sent: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.leaves = asyncio.Event()

    async def receive(self) -> dict[str, Any]:
        await self.leaves.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        await self.sent.put(message)

    async def next_body(self) -> bytes:
        message = await asyncio.wait_for(self.sent.get(), 5)
        assert message["type"] == "http.response.body"
        return message["body"]


async def test_events_are_passed_on_one_by_one_and_the_end_of_the_session_closes_the_stream(serve) -> None:  # type: ignore[no-untyped-def]
    second_may_go = asyncio.Event()

    async def events(request: web.Request) -> web.StreamResponse:
        assert request.headers["x-konnect-actor-id"] == "a1" and request.headers["last-event-id"] == "7"
        response = web.StreamResponse(headers={"content-type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b"data: first\n\n")
        await second_may_go.wait()
        await response.write(b"data: second\n\n")
        await asyncio.sleep(30)  # the stream stays open until the gateway closes it
        return response

    url = await serve("/events", events)
    upstream, clients, ended, client = Upstream("notifications", url, "internal", 0.5), StreamClients(), \
        EndedSessions(900), Client()
    relaying = asyncio.create_task(relay(client.receive, client.send, clients, upstream, URL("/events"),
                                         {"x-konnect-actor-id": "a1"}, "7", [(b"x-correlation-id", b"c1")], ended,
                                         "s1"))
    try:
        start = await asyncio.wait_for(client.sent.get(), 5)
        assert start["status"] == 200 and (b"x-correlation-id", b"c1") in start["headers"]
        assert await client.next_body() == b"data: first\n\n"  # while the service still holds the stream
        await asyncio.sleep(0.7)  # longer than the call timeout: a listening stream is not cut off
        second_may_go.set()
        assert await client.next_body() == b"data: second\n\n"
        ended.add(["s1"], ended_at=ended.clock())  # logout somewhere
        assert await client.next_body() == SESSION_ENDED
        assert await asyncio.wait_for(relaying, 5) is None
    finally:
        await clients.close()


async def test_a_client_going_away_ends_the_relay(serve) -> None:  # type: ignore[no-untyped-def]
    async def events(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"content-type": "text/event-stream"})
        await response.prepare(request)
        await response.write(b"data: hello\n\n")
        await asyncio.sleep(30)
        return response

    url = await serve("/events", events)
    upstream, clients, ended, client = Upstream("notifications", url, "internal", 5), StreamClients(), \
        EndedSessions(900), Client()
    relaying = asyncio.create_task(relay(client.receive, client.send, clients, upstream, URL("/events"), {}, None, [],
                                         ended, "s1"))
    try:
        await asyncio.wait_for(client.sent.get(), 5)
        assert await client.next_body() == b"data: hello\n\n"
        client.leaves.set()
        assert await asyncio.wait_for(relaying, 5) is None
        assert "s1" not in ended._watchers  # nothing left behind for the session
    finally:
        await clients.close()


async def test_a_refusal_comes_back_as_an_ordinary_answer(serve) -> None:  # type: ignore[no-untyped-def]
    async def refuse(request: web.Request) -> web.Response:
        return web.json_response({"error": {"code": "unauthorized"}}, status=401)

    url = await serve("/events", refuse)
    upstream, clients, client = Upstream("notifications", url, "internal", 5), StreamClients(), Client()
    try:
        status, body, content_type = await relay(client.receive, client.send, clients, upstream,  # type: ignore[misc]
                                                 URL("/events"), {}, None, [], EndedSessions(900), "s1")
        assert status == 401 and b"unauthorized" in body and content_type == "application/json; charset=utf-8"
        assert client.sent.empty()  # the caller answers it, with the usual headers
    finally:
        await clients.close()
