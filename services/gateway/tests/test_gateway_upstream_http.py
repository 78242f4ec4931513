"""The forwarder's own HTTP/1.1 client against a real TCP server: keep-alive reuse, a connection the service closed,
chunked and large answers, a slow service, and an answer left half read."""

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from gateway.upstream_http import STREAM_BUFFER_BYTES, UpstreamError, UpstreamPool


class Service:
    """A tiny HTTP/1.1 server: each request is answered by `reply(request) -> bytes`, or the connection is closed
    without an answer on None; `close_on_second` closes each connection when its second request comes instead."""

    def __init__(self, reply: Callable[[bytes], bytes | None], close_on_second: bool = False) -> None:
        self.close_on_second = close_on_second
        self.reply = reply
        self.connections = 0
        self.requests: list[bytes] = []
        self.writers: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        on_this_connection = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.lower().split(b"\r\n")
                               if line.startswith(b"content-length:")), 0)
                request = head + (await reader.readexactly(length) if length else b"")
                self.requests.append(request)
                on_this_connection += 1
                answer = None if self.close_on_second and on_this_connection == 2 else self.reply(request)
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def ok(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Callable[[bytes], bytes | None]], asyncio.Future]]:
    servers: list[asyncio.Server] = []

    async def start(reply: Callable[[bytes], bytes | None], close_on_second: bool = False) -> tuple[Service, str]:
        service = Service(reply, close_on_second)
        server = await asyncio.start_server(service.handle, "127.0.0.1", 0)
        servers.append(server)
        return service, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"

    yield start  # type: ignore[misc]
    for server in servers:
        server.close()


async def read_all(pool: UpstreamPool, method: str = "GET", target: str = "/x", body: bytes = b"") -> tuple[int, bytes]:
    answer = await pool.send(method, target, {"x-konnect-actor-id": "a1"}, body)
    pieces = []
    while chunk := await answer.read_chunk():
        pieces.append(chunk)
    return answer.status, b"".join(pieces)


async def test_requests_reuse_one_keep_alive_connection_and_carry_method_path_headers_and_body(serve) -> None:
    service, url = await serve(lambda request: ok(b'{"n":%d}' % len(request)))
    pool = UpstreamPool(url, timeout=5)
    try:
        for _ in range(5):
            status, _ = await read_all(pool)
            assert status == 200
        status, _ = await read_all(pool, "POST", "/requests?x=1", b'{"a":1}')
        assert status == 200
        assert service.connections == 1
        assert service.requests[0].startswith(b"GET /x HTTP/1.1\r\nhost: 127.0.0.1:")
        assert b"x-konnect-actor-id: a1\r\n" in service.requests[0]
        assert service.requests[-1].startswith(b"POST /requests?x=1 HTTP/1.1")
        assert service.requests[-1].endswith(b'content-length: 7\r\n\r\n{"a":1}')
    finally:
        await pool.close()


async def test_a_read_on_a_connection_the_service_just_closed_is_sent_again_on_a_new_one(serve) -> None:
    # The service's keep-alive timeout closes the connection just as the next request goes out.
    service, url = await serve(lambda request: ok(b"{}"), close_on_second=True)
    pool = UpstreamPool(url, timeout=5)
    try:
        assert (await read_all(pool))[0] == 200
        assert (await read_all(pool))[0] == 200  # no error: sent once more, on a new connection
        assert service.connections == 2 and len(service.requests) == 3
    finally:
        await pool.close()


async def test_a_write_is_not_sent_twice_when_the_service_closes_without_answering(serve) -> None:
    service, url = await serve(lambda request: ok(b"{}"), close_on_second=True)
    pool = UpstreamPool(url, timeout=5)
    try:
        assert (await read_all(pool))[0] == 200
        with pytest.raises(UpstreamError):  # the service may have acted on it: the client decides (Idempotency-Key)
            await read_all(pool, "POST", "/requests", b"{}")
        assert sum(request.startswith(b"POST") for request in service.requests) == 1
    finally:
        await pool.close()


async def test_chunked_and_large_answers_arrive_whole_and_in_order(serve) -> None:
    big = bytes(range(256)) * 2000  # 512,000 bytes: streamed, with back-pressure
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (b'{"a":', b'"b"', b"}")) + b"0\r\n\r\n"
    answers = {b"/big": ok(big), b"/chunked": b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" + chunked}
    service, url = await serve(lambda request: answers[request.split(b" ")[1]])
    pool = UpstreamPool(url, timeout=5)
    try:
        assert await read_all(pool, target="/chunked") == (200, b'{"a":"b"}')
        assert await read_all(pool, target="/big") == (200, big)
        assert await read_all(pool, target="/chunked") == (200, b'{"a":"b"}')
        assert service.connections == 1  # each answer read to its end: the connection was reused
    finally:
        await pool.close()


async def test_a_silent_service_times_out_and_a_missing_one_is_unreachable(serve) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(10)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    pool = UpstreamPool(f"http://127.0.0.1:{port}", timeout=0.3)
    try:
        with pytest.raises(TimeoutError):
            await read_all(pool)
    finally:
        await pool.close()
        server.close()
    gone = UpstreamPool(f"http://127.0.0.1:{port}", timeout=1)
    await asyncio.sleep(0.05)
    with pytest.raises(UpstreamError):
        await read_all(gone)


async def test_a_slow_client_does_not_make_the_gateway_hold_a_large_answer_in_memory(serve) -> None:
    huge = b"y" * 8_000_000
    _, url = await serve(lambda request: ok(huge))
    pool = UpstreamPool(url, timeout=10)
    try:
        answer = await pool.send("GET", "/huge", {}, b"")
        received = len(await answer.read_chunk())
        await asyncio.sleep(0.3)  # the client reads nothing meanwhile
        assert answer._connection is not None
        assert answer._connection.buffered < 2 * STREAM_BUFFER_BYTES  # reading from the service paused
        while chunk := await answer.read_chunk():
            received += len(chunk)
        assert received == len(huge)
    finally:
        await pool.close()


async def test_an_answer_left_half_read_closes_its_connection_and_frees_its_place(serve) -> None:
    big = b"x" * 300_000
    service, url = await serve(lambda request: ok(big))
    pool = UpstreamPool(url, timeout=5, limit=1)
    try:
        answer = await pool.send("GET", "/big", {}, b"")
        assert answer.whole is None and await answer.read_chunk()
        answer.discard()  # the client went away
        assert await asyncio.wait_for(read_all(pool), 2) == (200, big)  # the one place is free again
        assert service.connections == 2
    finally:
        await pool.close()
