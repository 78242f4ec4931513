"""uvicorn's httptools protocol with an answer's writes of one loop turn sent as one: head and body in one send.

uvicorn writes a response's status line and headers, then its body, as two `transport.write` calls, and so as two
system calls. On this kind of machine (a VM with two vCPUs) a send on a loopback socket is one of the most
expensive things a request does: it runs the receiver's network path and wakes the receiving process, often on the
other vCPU (bench/PROFILE-read-paths.md, round 10: writes were a third of identity's CPU for /me). The receiver
(the gateway, or a client) then also wakes twice for one answer. Here the writes of one loop turn are joined and
sent once, at the end of that turn (`call_soon`); a streamed answer's later chunks go out as they come.
"""

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _CoalescingTransport:
    """A transport whose writes within one loop turn leave as one write of the real transport."""

    __slots__ = ("_loop", "_pending", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] | None = None

    def write(self, data: bytes) -> None:
        if self._pending is None:
            self._pending = [data]
            self._loop.call_soon(self._flush)
        else:
            self._pending.append(data)

    def _flush(self) -> None:
        pending, self._pending = self._pending, None
        if pending and not self._transport.is_closing():
            self._transport.write(pending[0] if len(pending) == 1 else b"".join(pending))

    def get_write_buffer_size(self) -> int:
        # What is still pending counts as buffered, so flow control sees it.
        pending = self._pending
        return self._transport.get_write_buffer_size() + (sum(map(len, pending)) if pending else 0)

    def close(self) -> None:
        self._flush()  # the answer's last bytes go before the connection closes, as with a plain transport
        self._transport.close()

    def abort(self) -> None:
        self._pending = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol writing through a `_CoalescingTransport` (flow control keeps the real one)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.transport = _CoalescingTransport(transport, self.loop)  # type: ignore[assignment]
