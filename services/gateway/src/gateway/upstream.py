"""Calls from the gateway to domain services: forwarded identity and correlation id, errors passed on."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
from konnect_kit.correlation import CORRELATION_HEADER, current_correlation_id
from konnect_kit.errors import ApiError
from konnect_kit.internal import Caller, forwarded_headers
from yarl import URL

EVENT_STREAM = "text/event-stream"


@dataclass(frozen=True)
class Answer:
    """A service's answer: read whole (bodies are small: the gateway refuses large requests too), or, for an
    event stream, `stream` passes the body on chunk by chunk as the service sends it."""

    status_code: int
    content: bytes
    content_type: str | None
    stream: AsyncIterator[bytes] | None = None


async def _chunks(response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.content.iter_any():
            yield chunk
    finally:
        response.release()  # also when the client went away: the connection goes back or is closed


class Upstream:
    """One pooled keep-alive client per service.

    aiohttp rather than httpx: forwarding is the gateway's hot path, and httpx's pool cost ~2 ms of CPU
    per call under concurrency here (bench/gateway_me.py), aiohttp's a fraction of that.
    """

    def __init__(self, name: str, base_url: str, internal_token: str, timeout: float) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.internal_token = internal_token
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        # An event stream lasts as long as the client listens: only connecting is bounded.
        self.stream_timeout = aiohttp.ClientTimeout(total=None, sock_connect=timeout)
        self._client: aiohttp.ClientSession | None = None

    def _session(self) -> aiohttp.ClientSession:
        # Made on first use: an aiohttp session belongs to the event loop that runs the app.
        if self._client is None or self._client.closed:
            self._client = aiohttp.ClientSession(
                self.base_url, timeout=self.timeout, auto_decompress=False,
                # Shorter than the services keep idle connections (konnect_kit http_keep_alive_seconds, 75 s), so the
                # gateway always drops an idle connection before the service does (no request lost in the close).
                connector=aiohttp.TCPConnector(limit=200, keepalive_timeout=30),
            )
        return self._client

    async def call(self, method: str, path: str, who: Caller | None, *, content: bytes | None = None,
                   query: str = "", client_ip: str | None = None, language: str | None = None,
                   idempotency_key: str | None = None, accept: str | None = None) -> Answer:
        """`path` and `query` are percent-encoded already and go on as they are (repeated parameters stay
        repeated, nothing is decoded and re-encoded differently). A caller accepting `text/event-stream`
        (an EventSource) gets an event-stream answer streamed; every other answer is read whole."""
        headers = forwarded_headers(self.internal_token, who, client_ip)
        headers[CORRELATION_HEADER] = current_correlation_id()
        if language:
            headers["accept-language"] = language[:200]  # services pick texts for callers without a profile
        if idempotency_key is not None:
            headers["idempotency-key"] = idempotency_key  # a client's retry key for a write (e.g. messaging)
        if content is not None:
            headers["content-type"] = "application/json"
        streaming = accept is not None and EVENT_STREAM in accept
        if streaming:
            headers["accept"] = EVENT_STREAM
        try:
            url = URL.build(path=path, query_string=query, encoded=True)
            if streaming:
                return await self._open_stream(method, url, content, headers)
            async with self._session().request(method, url, data=content, headers=headers) as response:
                body = await response.read()
                status, content_type = response.status, response.headers.get("content-type")
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise self._unreachable() from exc
        if status >= 500:
            raise ApiError(502, "bad_gateway", f"The {self.name} service failed to answer.")
        return Answer(status, body, content_type)

    async def _open_stream(self, method: str, url: URL, content: bytes | None, headers: dict[str, str]) -> Answer:
        response = await self._session().request(method, url, data=content, headers=headers,
                                                 timeout=self.stream_timeout)
        status, content_type = response.status, response.headers.get("content-type")
        if status < 500 and content_type is not None and content_type.startswith(EVENT_STREAM):
            return Answer(status, b"", content_type, stream=_chunks(response))
        try:  # not a stream after all (a refusal, say): read whole, within the usual time
            async with asyncio.timeout(self.timeout.total):
                body = await response.read()
        finally:
            response.release()
        if status >= 500:
            raise ApiError(502, "bad_gateway", f"The {self.name} service failed to answer.")
        return Answer(status, body, content_type)

    def _unreachable(self) -> ApiError:
        return ApiError(503, "service_unavailable",
                        f"The {self.name} service is not reachable right now; try again shortly.")

    async def healthy(self) -> None:
        async with self._session().get("/health") as response:
            response.raise_for_status()

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
