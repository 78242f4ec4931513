"""The services' HTTP protocol: an answer's head and body leave in one send, and nothing else about HTTP changes.

Served by a real uvicorn (uvloop, as `konnect_kit.service.serve` runs it) on a real socket; the real transport's
writes are counted by a wrapper the test puts under the protocol.
"""

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from konnect_kit.http_protocol import CoalescingHttpToolsProtocol, _CoalescingTransport

CHUNK_SEEN = threading.Event()  # set by the test once it has read a streamed answer's first chunk
WRITES: list[bytes] = []  # every write that reached a real transport, across connections


class _CountingTransport:
    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport

    def write(self, data: bytes) -> None:
        WRITES.append(bytes(data))
        self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _CountedProtocol(CoalescingHttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_CountingTransport(transport))  # type: ignore[arg-type]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path == "/echo":
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 201,
                    "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
    elif path == "/stream":  # the second chunk waits until the client has read the first
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"first;", "more_body": True})
        await asyncio.get_running_loop().run_in_executor(None, CHUNK_SEEN.wait, 5)
        await send({"type": "http.response.body", "body": b"second", "more_body": False})
    else:
        content = f"answer to {path}".encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(content)).encode())]})
        await send({"type": "http.response.body", "body": content})


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, loop="uvloop", http=_CountedProtocol,
                            log_config=None, access_log=False, lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


def test_an_answer_leaves_in_one_send_and_keep_alive_still_works(server: str) -> None:
    with httpx.Client(base_url=server, timeout=5) as client:
        for n in range(3):  # one connection, three answers
            WRITES.clear()
            answer = client.get(f"/screen/{n}")
            assert (answer.status_code, answer.text) == (200, f"answer to /screen/{n}")
            assert len(WRITES) == 1, "head and body went as separate sends"
            assert WRITES[0].startswith(b"HTTP/1.1 200 OK\r\n") and WRITES[0].endswith(f"/screen/{n}".encode())


def test_a_request_body_is_read_and_a_closing_answer_arrives_whole(server: str) -> None:
    with httpx.Client(base_url=server, timeout=5) as client:
        answer = client.post("/echo", content=b"x" * 100_000, headers={"connection": "close"})
    assert (answer.status_code, answer.content) == (201, b"x" * 100_000)


def test_a_streamed_answer_sends_each_chunk_as_it_comes(server: str) -> None:
    CHUNK_SEEN.clear()
    with httpx.Client(base_url=server, timeout=5) as client, client.stream("GET", "/stream") as answer:
        chunks = answer.iter_raw()
        assert next(chunks) == b"first;"  # the server holds the rest until this was read
        CHUNK_SEEN.set()
        assert b"".join(chunks) == b"second"


def test_writes_of_one_loop_turn_join_and_later_ones_go_on_their_own() -> None:
    class Recording:
        def __init__(self) -> None:
            self.sent: list[bytes] = []
            self.closed = False

        def write(self, data: bytes) -> None:
            self.sent.append(data)

        def is_closing(self) -> bool:
            return self.closed

        def get_write_buffer_size(self) -> int:
            return 0

        def close(self) -> None:
            self.closed = True

    async def scenario() -> tuple[list[bytes], int, list[bytes]]:
        real = Recording()
        transport = _CoalescingTransport(real, asyncio.get_running_loop())  # type: ignore[arg-type]
        transport.write(b"head;")
        transport.write(b"body")
        pending = transport.get_write_buffer_size()
        await asyncio.sleep(0)
        transport.write(b"later")
        await asyncio.sleep(0)
        transport.write(b"last words")
        transport.close()  # what is pending goes before the close
        return real.sent, pending, [b"closed"] if real.closed else []

    sent, pending, closed = asyncio.run(scenario())
    assert sent == [b"head;body", b"later", b"last words"]
    assert pending == len(b"head;body")
    assert closed == [b"closed"]
