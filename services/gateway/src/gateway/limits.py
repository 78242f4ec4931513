"""Request body guard: refuses oversized bodies (413) and JSON text with NUL characters (422) at the edge."""

import json

from konnect_kit.errors import ApiError, error_body
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ClientGone(Exception):
    """The client went away before its whole body arrived: nothing to answer."""


def declared_too_large(content_length: bytes | None, max_bytes: int) -> bool:
    return content_length is not None and content_length.isdigit() and int(content_length) > max_bytes


async def read_body(receive: Receive, max_bytes: int) -> bytes:
    """The whole request body (small by definition); ApiError 413 past `max_bytes`, 422 for NUL characters."""
    message = await receive()
    if message["type"] != "http.request":
        raise ClientGone
    body: bytes = message.get("body", b"")
    if message.get("more_body", False):  # rare for an API call: only then collect chunks
        chunks, received = [body], len(body)
        while True:
            if received > max_bytes:
                break
            message = await receive()
            if message["type"] != "http.request":
                raise ClientGone
            chunk = message.get("body", b"")
            chunks.append(chunk)
            received += len(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
    if len(body) > max_bytes:
        raise ApiError(413, "payload_too_large", f"The request body is larger than {max_bytes} bytes.")
    if body and (b"\\u0000" in body or b"\x00" in body):
        # No service can store a NUL character in text: it stops here with a clear answer.
        raise ApiError(422, "invalid_characters", "Text may not contain NUL characters.")
    return body


class BodySizeLimit:
    """For the routes FastAPI serves (docs, health): reads the whole body first, then refuses or hands it on.
    The /api/ forwarder (gateway.forwarder) calls `read_body` itself.

    Refusing inside the app's own body reading would not work: FastAPI turns any error raised while it
    parses a body into a generic 400.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = next((value for name, value in scope.get("headers", []) if name == b"content-length"), None)
        try:
            if declared_too_large(length, self.max_bytes):
                raise ApiError(413, "payload_too_large", f"The request body is larger than {self.max_bytes} bytes.")
            body = await read_body(receive, self.max_bytes)
        except ClientGone:
            return
        except ApiError as refusal:
            await _refuse(send, refusal)
            return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _refuse(send: Send, refusal: ApiError) -> None:
    body = json.dumps(error_body(refusal.code, refusal.message, refusal.details)).encode()
    await send({"type": "http.response.start", "status": refusal.status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
