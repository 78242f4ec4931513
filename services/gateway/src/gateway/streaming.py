"""Routes marked `stream` in the route table: a service's event stream relayed to the client as it comes (no total
timeout, nothing buffered), `Last-Event-ID` passed on for a resume, and closed when the caller's session ends
(logout anywhere: the ended-sessions register wakes it) or the client goes away.

The one event-stream path of the gateway: an `Accept: text/event-stream` header on another route changes nothing.
"""

import asyncio
import contextlib

import aiohttp
from starlette.types import Receive, Send
from yarl import URL

from gateway.ended_sessions import EndedSessions
from gateway.upstream import Upstream

EVENT_STREAM = "text/event-stream"
SESSION_ENDED = b"event: session_ended\ndata: {}\n\n"
STREAM_HEADERS = [(b"content-type", EVENT_STREAM.encode()), (b"cache-control", b"no-store"),
                  (b"x-accel-buffering", b"no")]


class StreamClients:
    """Its own pool per service: long-lived streams must not take the connections of the request path."""

    def __init__(self) -> None:
        self._clients: dict[str, aiohttp.ClientSession] = {}

    def get(self, upstream: Upstream) -> aiohttp.ClientSession:
        client = self._clients.get(upstream.name)
        if client is None or client.closed:
            # No connection limit: each open stream holds one connection for its whole life, and aiohttp's
            # default of 100 would queue the 101st parent's stream forever.
            client = aiohttp.ClientSession(
                upstream.base_url, auto_decompress=False, connector=aiohttp.TCPConnector(limit=0),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=upstream.timeout.total))
            self._clients[upstream.name] = client
        return client

    async def close(self) -> None:
        for client in self._clients.values():
            await client.close()


async def relay(receive: Receive, send: Send, clients: StreamClients, upstream: Upstream, url: URL,
                headers: dict[str, str], last_event_id: str | None, answer_headers: list[tuple[bytes, bytes]],
                ended: EndedSessions, session_id: str | None) -> tuple[int, bytes, str | None] | None:
    """Relays the stream and returns None, or returns the service's refusal (status, body, content type) for the
    caller to answer as any other (a 4xx with the uniform body). ApiError 502/503 when the service fails."""
    headers["accept"] = EVENT_STREAM
    if last_event_id:
        headers["last-event-id"] = last_event_id[:64]
    try:
        response = await clients.get(upstream).get(url, headers=headers)
    except (TimeoutError, aiohttp.ClientError) as exc:
        raise upstream.unreachable() from exc
    try:
        content_type = response.headers.get("content-type")
        if response.status != 200 or not (content_type or "").startswith(EVENT_STREAM):
            async with asyncio.timeout(upstream.timeout.total):  # a refusal: read whole, within the usual time
                body = await response.read()
            if response.status >= 500:
                raise upstream.failed()
            return response.status, body, content_type
        await send({"type": "http.response.start", "status": 200, "headers": STREAM_HEADERS + answer_headers})
        await _pass_on(response, receive, send, ended, session_id)
        return None
    finally:
        response.close()  # also when the client went away: the upstream stream ends with it


async def _pass_on(response: aiohttp.ClientResponse, receive: Receive, send: Send, ended: EndedSessions,
                   session_id: str | None) -> None:
    watch = ended.watch(session_id) if session_id else asyncio.Event()
    session_over = asyncio.create_task(watch.wait())
    client_gone = asyncio.create_task(_disconnected(receive))
    chunk: asyncio.Task[bytes] | None = None
    try:
        while True:
            chunk = asyncio.create_task(response.content.readany())
            done, _ = await asyncio.wait({chunk, session_over, client_gone}, return_when=asyncio.FIRST_COMPLETED)
            if client_gone in done:
                return
            if chunk not in done:  # the session ended: tell the client (it must log in again) and close
                await send({"type": "http.response.body", "body": SESSION_ENDED, "more_body": False})
                return
            data = chunk.result()
            if not data:  # the service closed the stream; the client reconnects with Last-Event-ID
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send({"type": "http.response.body", "body": data, "more_body": True})
    finally:
        for task in (chunk, session_over, client_gone):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if session_id:
            ended.unwatch(session_id, watch)


async def _disconnected(receive: Receive) -> None:
    # The request body was read already: the next message is the client going away.
    while (await receive())["type"] != "http.disconnect":
        pass
