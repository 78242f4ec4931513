"""The baseline for bench/inbox_live.py: a bare ASGI event stream under the same uvicorn. GET / holds a stream;
POST /publish sends one event to every stream it holds."""

import asyncio

_streams: set[asyncio.Queue[bytes]] = set()


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    if scope["method"] == "POST":
        for queue in list(_streams):
            queue.put_nowait(b"event: item\ndata: {}\n\n")
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})
        return
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    _streams.add(queue)
    try:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": b"event: unread\ndata: {}\n\n", "more_body": True})
        disconnected = asyncio.ensure_future(_disconnect(receive))
        while True:
            next_event = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait({next_event, disconnected}, return_when=asyncio.FIRST_COMPLETED)
            if disconnected in done:
                next_event.cancel()
                return
            await send({"type": "http.response.body", "body": next_event.result(), "more_body": True})
    finally:
        _streams.discard(queue)


async def _disconnect(receive):  # type: ignore[no-untyped-def]
    while (await receive())["type"] != "http.disconnect":
        pass
