"""The forwarder's HTTP/1.1 client: pooled keep-alive connections to one service, one exchange at a time on each,
answers parsed by httptools (uvicorn's own parser).

Why not aiohttp here: its request machinery (ClientRequest/ClientResponse objects, timers, tracing hooks, cookie
and redirect handling the gateway never uses) was a quarter of the gateway's CPU per forwarded call (py-spy,
PROFILE-read-paths.md round 6). This client does only what the forwarder needs: write the request in one piece,
hand back the status, the headers and the body (whole when small, chunk by chunk when large or chunked).
"""

import asyncio
import time
from collections import deque
from urllib.parse import urlsplit

import httptools

# Answers up to this size (with a Content-Length) are handed over whole; others chunk by chunk.
WHOLE_ANSWER_BYTES = 64 * 1024
# A streamed answer stops being read from the service while this much waits for the client (back-pressure).
STREAM_BUFFER_BYTES = 256 * 1024
# Idle connections are dropped after this long; shorter than the services keep them (konnect_kit
# http_keep_alive_seconds, 75 s), so the gateway never sends on a connection the service is closing.
IDLE_SECONDS = 30.0
_SAFE_TO_REPEAT = frozenset({"GET", "HEAD", "OPTIONS"})


class UpstreamError(Exception):
    """The service could not be reached, or the connection ended before a whole answer came."""


class _Connection(asyncio.Protocol):
    """One keep-alive connection; httptools calls the on_* methods while `data_received` feeds it."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpResponseParser(self)
        self.closed = False
        self.idle_since = 0.0
        self.used = False  # has carried an exchange before (a reused connection may have been closed meanwhile)
        self.answered = False  # any byte of the current answer arrived
        self.complete = False
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.content_length: int | None = None
        self.body: list[bytes] = []
        self.buffered = 0
        self.paused = False
        self.streaming = False
        self.head: asyncio.Future[None] | None = None  # resolved when the whole answer (or a streamed one's head) is in
        self.more: asyncio.Event = asyncio.Event()

    # asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if self.head is None or self.complete:  # nothing was asked: a service does not talk first
            self.close()
            return
        self.answered = True
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(UpstreamError(f"the service's answer could not be read: {error}"))
            self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self.complete:
            self._fail(UpstreamError("the service closed the connection before its answer was complete"))
        self.more.set()

    # httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name.lower(), value))

    def on_headers_complete(self) -> None:
        self.status = self.parser.get_status_code()
        for name, value in self.headers:
            if name == b"content-length":
                self.content_length = int(value)
        if self.content_length is None or self.content_length > WHOLE_ANSWER_BYTES:
            self.streaming = True
            self._resolve()

    def on_body(self, body: bytes) -> None:
        self.body.append(body)
        if self.streaming:
            self.buffered += len(body)
            if self.buffered > STREAM_BUFFER_BYTES and self.transport is not None and not self.paused:
                self.paused = True
                self.transport.pause_reading()
            self.more.set()

    def on_message_complete(self) -> None:
        self.complete = True
        if not self.parser.should_keep_alive():
            self.close()
        self._resolve()
        self.more.set()

    def _resolve(self) -> None:
        if self.head is not None and not self.head.done():
            self.head.set_result(None)

    def _fail(self, error: Exception) -> None:
        if self.head is not None and not self.head.done():
            self.head.set_exception(error)

    # the exchange
    def start(self, request: bytes) -> asyncio.Future[None]:
        if self.closed or self.transport is None:
            raise UpstreamError("the connection to the service was closed")
        self.answered = self.complete = self.streaming = self.paused = False
        self.status, self.headers, self.content_length, self.body, self.buffered = 0, [], None, [], 0
        self.more.clear()
        self.head = asyncio.get_running_loop().create_future()
        self.transport.write(request)
        return self.head

    def take_chunks(self) -> bytes:
        chunks, self.body, self.buffered = self.body, [], 0
        if self.paused and self.transport is not None and not self.closed:
            self.paused = False
            self.transport.resume_reading()
        self.more.clear()
        return b"".join(chunks)

    def reusable(self) -> bool:
        return self.complete and not self.closed

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.close()


class Answer:
    """A service's answer: status, headers (lower-case names), and its body whole or as chunks."""

    __slots__ = ("_connection", "_deadline", "_pool", "content_length", "headers", "status", "whole")

    def __init__(self, pool: "UpstreamPool", connection: _Connection, deadline: float) -> None:
        self._pool, self._deadline = pool, deadline
        self.status, self.headers = connection.status, connection.headers
        self.content_length = connection.content_length
        self.whole: bytes | None = None
        self._connection: _Connection | None = connection
        if not connection.streaming:
            self.whole = connection.take_chunks()
            self._connection = None
            pool.give(connection)

    def header(self, name: bytes) -> bytes | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None

    async def read_chunk(self) -> bytes:
        """The next piece of a streamed answer as it comes; b"" once it was read whole (the connection then goes
        back to the pool). A whole answer gives its body once."""
        if self.whole is not None:
            body, self.whole = self.whole, b""
            return body
        connection = self._connection
        if connection is None:
            return b""
        try:
            while not connection.body and not connection.complete:
                if connection.closed:
                    raise UpstreamError("the service closed the connection before its answer was complete")
                async with asyncio.timeout_at(self._deadline):
                    await connection.more.wait()
        except BaseException:
            self.discard()
            raise
        chunk = connection.take_chunks()
        if not chunk and connection.complete:
            self._connection = None
            self._pool.give(connection)
        return chunk

    def discard(self) -> None:
        """Not read to the end (the client left, or the answer is replaced by an error): the connection is closed."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()
            self._pool.give(connection)


class UpstreamPool:
    """At most `limit` connections to one service; `send` writes a request and waits for the answer's head."""

    def __init__(self, base_url: str, timeout: float, limit: int = 200) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._host_header = f"host: {parts.netloc}\r\n".encode("latin-1")
        self.timeout = timeout
        self._slots = asyncio.Semaphore(limit)
        self._idle: deque[_Connection] = deque()
        self._closed = False

    async def send(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        """Raises UpstreamError (unreachable, or gone before the answer) or TimeoutError (`timeout` seconds for
        the whole exchange)."""
        request = self._request(method, target, headers, body)
        deadline = asyncio.get_running_loop().time() + self.timeout
        await self._slots.acquire()
        connection: _Connection | None = None
        try:
            async with asyncio.timeout_at(deadline):
                connection = await self._connection()
                try:
                    await connection.start(request)
                except UpstreamError:
                    # A reused connection the service closed just now: nothing of the answer came, and a read is
                    # safe to send again on a new connection.
                    if not (connection.used and not connection.answered and method in _SAFE_TO_REPEAT):
                        raise
                    connection.close()
                    connection = await self._open()
                    await connection.start(request)
        except BaseException:
            if connection is not None:
                connection.close()
            self._slots.release()
            raise
        connection.used = True
        return Answer(self, connection, deadline)

    def give(self, connection: _Connection) -> None:
        if connection.reusable() and not self._closed:
            connection.idle_since = time.monotonic()
            self._idle.append(connection)
        else:
            connection.close()
        self._slots.release()

    async def close(self) -> None:
        self._closed = True
        while self._idle:
            self._idle.pop().close()

    async def _connection(self) -> _Connection:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()  # the most recently used: the least likely to have been closed
            if not connection.closed and now - connection.idle_since < IDLE_SECONDS:
                return connection
            connection.close()
        return await self._open()

    async def _open(self) -> _Connection:
        try:
            _, connection = await asyncio.get_running_loop().create_connection(_Connection, self.host, self.port)
        except OSError as error:
            raise UpstreamError(f"the service is not reachable: {error}") from error
        return connection

    def _request(self, method: str, target: str, headers: dict[str, str], body: bytes) -> bytes:
        lines = [f"{method} {target} HTTP/1.1\r\n".encode("latin-1"), self._host_header]
        for name, value in headers.items():
            if "\r" in value or "\n" in value:  # never from a parsed request; refused rather than passed on
                raise ValueError(f"header {name} holds a line break")
            lines.append(f"{name}: {value}\r\n".encode("latin-1"))
        lines.append(f"content-length: {len(body)}\r\n\r\n".encode("latin-1") if body or method not in _SAFE_TO_REPEAT
                     else b"\r\n")
        if body:
            lines.append(body)
        return b"".join(lines)
