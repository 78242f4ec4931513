"""The baseline for bench/gateway_me.py: a bare ASGI hello endpoint, served by uvicorn exactly like the gateway."""

import json

BODY = json.dumps({"hello": "world"}).encode()


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]})
    await send({"type": "http.response.body", "body": BODY})
