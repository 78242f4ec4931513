"""Routes marked `stream` in the route table: a service's event stream relayed to the client as it comes (no total
timeout, nothing buffered), `Last-Event-ID` passed on for a resume, and closed when the caller's session ends
(logout anywhere: the ended-sessions register wakes it)."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from konnect_kit.correlation import CORRELATION_HEADER, current_correlation_id
from konnect_kit.errors import ApiError
from konnect_kit.internal import Caller, forwarded_headers
from yarl import URL

from gateway.ended_sessions import EndedSessions
from gateway.ratelimit import client_address
from gateway.upstream import Upstream

EVENT_STREAM = "text/event-stream"
SESSION_ENDED = b"event: session_ended\ndata: {}\n\n"


def _client(request: Request, upstream: Upstream) -> aiohttp.ClientSession:
    # Its own pool per service: long-lived streams must not take the connections of the request path.
    clients: dict[str, aiohttp.ClientSession] = request.app.state.stream_clients
    client = clients.get(upstream.name)
    if client is None or client.closed:
        client = aiohttp.ClientSession(upstream.base_url, auto_decompress=False, timeout=aiohttp.ClientTimeout(
            total=None, sock_connect=upstream.timeout.total))
        clients[upstream.name] = client
    return client


async def forward_stream(request: Request, upstream: Upstream, path: str, who: Caller | None) -> Response:
    headers = forwarded_headers(upstream.internal_token, who, client_address(request))
    headers[CORRELATION_HEADER] = current_correlation_id()
    headers["accept"] = EVENT_STREAM
    if last := request.headers.get("last-event-id"):
        headers["last-event-id"] = last[:64]
    query = request.scope.get("query_string", b"").decode("latin-1")
    try:
        response = await _client(request, upstream).get(URL.build(path=path, query_string=query, encoded=True),
                                                       headers=headers)
    except (TimeoutError, aiohttp.ClientError) as exc:
        raise ApiError(503, "service_unavailable",
                       f"The {upstream.name} service is not reachable right now; try again shortly.") from exc
    content_type = response.headers.get("content-type")
    if response.status != 200 or not (content_type or "").startswith(EVENT_STREAM):
        try:  # a refusal (4xx with the uniform body): read whole, within the usual time
            async with asyncio.timeout(upstream.timeout.total):
                body = await response.read()
        finally:
            response.release()
        if response.status >= 500:
            raise ApiError(502, "bad_gateway", f"The {upstream.name} service failed to answer.")
        return Response(body, status_code=response.status, media_type=content_type)
    ended: EndedSessions = request.app.state.ended_sessions
    return StreamingResponse(_relay(response, ended, who.session_id if who else None), media_type=EVENT_STREAM,
                             headers={"cache-control": "no-store", "x-accel-buffering": "no"})


async def _relay(response: aiohttp.ClientResponse, ended: EndedSessions, session_id: str | None
                 ) -> AsyncIterator[bytes]:
    watch = ended.watch(session_id) if session_id else asyncio.Event()
    session_over = asyncio.create_task(watch.wait())
    try:
        while True:
            chunk = asyncio.create_task(response.content.readany())
            done, _ = await asyncio.wait({chunk, session_over}, return_when=asyncio.FIRST_COMPLETED)
            if chunk not in done:  # the session ended: tell the client (it must log in again) and close
                chunk.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await chunk
                yield SESSION_ENDED
                return
            data = chunk.result()
            if not data:
                return  # the service closed the stream; the client reconnects with Last-Event-ID
            yield data
    finally:
        session_over.cancel()
        if session_id:
            ended.unwatch(session_id, watch)
        response.close()  # also when the client went away: the upstream stream ends with it


async def close_stream_clients(clients: dict[str, aiohttp.ClientSession]) -> None:
    for client in clients.values():
        await client.close()
