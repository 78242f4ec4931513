"""`GET /api/v1/me` answered from the profile cache, and the hooks that fill and drop its entries.

The answer from memory skips FastAPI's routing and dependency solving (most of a gateway call's
cost): a plain ASGI layer inside the correlation and CORS middleware, so the caller sees the same
headers either way. Anything it cannot answer (no or bad token, not cached, feed not current) goes
on to the normal route, which asks identity and fills the cache.
"""

from konnect_kit.errors import ApiError
from konnect_kit.internal import Caller
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.auth import TokenVerifier
from gateway.profile_cache import ProfileCache
from gateway.upstream import Answer

ME_PATH = "/api/v1/me"
PERSON_ROLES = ("parent", "staff", "org_admin")


def _bearer(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token else None
    return None


class MeFromMemory:
    def __init__(self, app: ASGIApp, cache: ProfileCache, tokens: TokenVerifier) -> None:
        self.app, self.cache, self.tokens = app, cache, tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == ME_PATH and scope["method"] == "GET":
            body = self._remembered(scope)
            if body is not None:
                await send({"type": "http.response.start", "status": 200, "headers": [
                    (b"content-type", body[1]), (b"content-length", str(len(body[0])).encode())]})
                await send({"type": "http.response.body", "body": body[0]})
                return
        await self.app(scope, receive, send)

    def _remembered(self, scope: Scope) -> tuple[bytes, bytes] | None:
        token = _bearer(scope["headers"])
        if token is None:
            return None
        try:
            who = self.tokens.caller(token)
        except ApiError:
            return None  # the route gives the proper 401
        if who.session_id is None:
            return None
        entry = self.cache.get(who.session_id, who.actor_id)
        return (entry.body, entry.content_type) if entry is not None else None


class CacheKeeper:
    """Called by forwarding routes around each call to a service (see `gateway.mirror`)."""

    def __init__(self, cache: ProfileCache, *, fill: bool = True) -> None:
        self.cache, self.fill = cache, fill

    def before(self, method: str, path: str, who: Caller | None) -> int:
        if method != "GET" and who is not None and who.role in PERSON_ROLES:
            # Read your own writes: this instance forgets the caller's answers before (and after) the
            # change instead of waiting for its event; any fill overlapping the change is not stored.
            self.cache.invalidate({who.actor_id})
        return self.cache.begin_fill()

    def after(self, started_at: int, method: str, path: str, who: Caller | None, answer: Answer | None) -> None:
        if who is None or who.role not in PERSON_ROLES:
            return
        if method != "GET":
            self.cache.invalidate({who.actor_id})
        elif self.fill and path == ME_PATH and answer is not None and answer.status_code == 200 and who.session_id:
            self.cache.store(started_at, who.session_id, who.actor_id, answer.content,
                             answer.content_type or "application/json")
