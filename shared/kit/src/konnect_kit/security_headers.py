"""Security headers on every HTTP answer: no MIME sniffing, no referrer, no caching of API answers, and a
Content-Security-Policy (a locked-down one for JSON; the gateway widens it for its own /docs page only).

Pure ASGI (no BaseHTTPMiddleware): it only edits the response start, so streaming and error answers keep it.
"""

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# JSON and plain answers never load anything, nor may they be framed.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

Policy = Callable[[str], str]  # request path -> Content-Security-Policy


def _api_policy(_: str) -> str:
    return API_CSP


def wanted_headers(path: str, csp: Policy = _api_policy, no_store: Callable[[str], bool] = lambda _: True
                   ) -> list[tuple[bytes, bytes]]:
    """The headers an answer to `path` gets unless the route set them itself."""
    wanted = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
              (b"content-security-policy", csp(path).encode()), (b"x-frame-options", b"DENY")]
    if no_store(path):
        wanted.append((b"cache-control", b"no-store"))
    return wanted


def add_missing(headers: list[tuple[bytes, bytes]], wanted: list[tuple[bytes, bytes]]) -> None:
    """`wanted` appended to an answer's `headers`, but for those it has already (by name, any case)."""
    present = {name.lower() for name, _ in headers}
    headers.extend((name, value) for name, value in wanted if name not in present)


class SecurityHeadersMiddleware:
    """Adds the headers unless the route set them itself (a route may allow caching, for example).

    `no_store` decides per path whether answers get `Cache-Control: no-store`: tokens and personal data
    must not stay in browser or proxy caches.
    """

    def __init__(self, app: ASGIApp, *, csp: Policy = _api_policy,
                 no_store: Callable[[str], bool] = lambda _: True) -> None:
        self.app, self.csp, self.no_store = app, csp, no_store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = wanted_headers(scope.get("path", ""), self.csp, self.no_store)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                add_missing(headers, wanted)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
