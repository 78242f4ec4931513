"""Request body guard: refuses oversized bodies (413) and JSON text with NUL characters (422) at the edge."""

import json

from konnect_kit.errors import error_body
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """Reads the whole body first (it is small by definition), then refuses or hands it to the app.

    Refusing inside the app's own body reading would not work: FastAPI turns any error raised while it
    parses a body into a generic 400.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._refuse(send)
                return
        chunks: list[bytes] = []
        received, more = 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await self._refuse(send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if b"\\u0000" in body or b"\x00" in body:
            # No service can store a NUL character in text: it stops here with a clear answer.
            await self._refuse(send, 422, "invalid_characters", "Text may not contain NUL characters.")
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send, status: int = 413, code: str = "payload_too_large",
                      message: str | None = None) -> None:
        body = json.dumps(error_body(code, message or f"The request body is larger than {self.max_bytes} bytes.")
                          ).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
