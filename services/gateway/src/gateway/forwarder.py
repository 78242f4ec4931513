"""The gateway's hot path: every /api/ request is handled by this plain ASGI forwarder (no Starlette request or
response objects, no middleware stack, no FastAPI routing per request), doing all the edge's checks itself.

Per request: one pass over the headers, a precompiled route match, the token check (gateway.auth remembers
verified tokens; the ended-sessions register is asked every time), rate and body limits, then the call on a
pooled keep-alive connection. Small answers go on in one piece; larger ones are streamed chunk by chunk.
The answer carries what the middleware stack used to add: the correlation id, the security headers, `Vary`
and, for a browser (an `Origin` header), Starlette's CORS handling wrapped around this same forwarder.
"""

import json
import logging
from typing import Any

from konnect_kit.correlation import CORRELATION_HEADER, correlation_id_var, new_correlation_id, valid_correlation_id
from konnect_kit.errors import ApiError, error_body
from konnect_kit.internal import forwarded_headers
from konnect_kit.security_headers import API_CSP
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Receive, Scope, Send
from yarl import URL

from gateway.auth import TokenVerifier
from gateway.edge import Router, caller_for
from gateway.ended_sessions import EndedSessions
from gateway.limits import ClientGone, declared_too_large, read_body
from gateway.ratelimit import RateLimit, SlidingWindow, address_of
from gateway.route_table import RouteTable
from gateway.settings import Settings
from gateway.streaming import StreamClients, relay
from gateway.upstream import Upstream
from gateway.upstream_http import Answer, UpstreamError

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
# Personal data and tokens: never cached (these were SecurityHeadersMiddleware's, for /api/ paths).
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
                    (b"content-security-policy", API_CSP.encode()), (b"x-frame-options", b"DENY")]
NO_STORE = (b"cache-control", b"no-store")
VARY_ORIGIN = (b"vary", b"Origin")  # what CORSMiddleware adds to an answer to a request without an Origin
_WANTED = frozenset({b"authorization", b"content-length", b"accept-language", b"idempotency-key",
                     b"x-forwarded-for", CORRELATION_HEADER.encode(), b"last-event-id", b"origin"})


class Forwarder:
    def __init__(self, table: RouteTable, settings: Settings, upstreams: dict[str, Upstream], tokens: TokenVerifier,
                 ended: EndedSessions, rate_windows: dict[str, SlidingWindow], stream_clients: StreamClients) -> None:
        self.router = Router(table)
        self.limits = {name: RateLimit(name, c.limit, c.seconds) for name, c in table.rate_classes.items()}
        self.settings, self.upstreams, self.tokens, self.ended = settings, upstreams, tokens, ended
        self.rate_windows, self.stream_clients = rate_windows, stream_clients
        self.trusted = frozenset(settings.trusted_proxies)
        self.max_body = settings.max_body_bytes
        self.cors = CORSMiddleware(self._edge, allow_origins=settings.cors_origins, allow_credentials=True,
                                   allow_methods=["*"], allow_headers=["*"], expose_headers=[CORRELATION_HEADER])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        for name, _ in scope["headers"]:
            if name == b"origin":  # a browser: CORS answers preflights and adds its headers around the same path
                headers = dict(scope["headers"])
                if scope["method"] == "OPTIONS" and b"access-control-request-method" in headers:
                    await self._preflight(scope, receive, send, headers.get(CORRELATION_HEADER.encode(), b""))
                else:
                    await self.cors(scope, receive, send)
                return
        await self._edge(scope, receive, send)

    async def _preflight(self, scope: Scope, receive: Receive, send: Send, incoming: bytes) -> None:
        """CORS answers it without forwarding; it still gets the headers every answer has."""
        correlation_id = _correlation_id(incoming)

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (CORRELATION_HEADER.encode(),
                                      correlation_id.encode()), *SECURITY_HEADERS, NO_STORE]
            await send(message)

        await self.cors(scope, receive, with_headers)

    async def _edge(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            if name in _WANTED:
                headers[name] = value
        correlation_id = _correlation_id(headers.get(b"x-correlation-id", b""))
        answer_headers = [(CORRELATION_HEADER.encode(), correlation_id.encode()), *SECURITY_HEADERS]
        if b"origin" not in headers:
            answer_headers.append(VARY_ORIGIN)
        reset = correlation_id_var.set(correlation_id)  # for the logs of this request
        started = False

        async def answer(message: dict[str, Any]) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._forward(scope, receive, answer, headers, correlation_id, answer_headers)
        except ClientGone:
            pass
        except ApiError as refusal:
            if not started:
                await _send_error(send, refusal.status, error_body(refusal.code, refusal.message, refusal.details),
                                  answer_headers)
        except Exception:
            log.exception("unhandled error")
            if not started:
                await _send_error(send, 500, error_body("internal_error", "Something went wrong on our side."),
                                  answer_headers)
        finally:
            correlation_id_var.reset(reset)

    async def _forward(self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, bytes],
                       correlation_id: str, answer_headers: list[tuple[bytes, bytes]]) -> None:
        # The order of the refusals is the one the middleware stack had: body, path, caller, rate, route body limit.
        if declared_too_large(headers.get(b"content-length"), self.max_body):
            raise ApiError(413, "payload_too_large", f"The request body is larger than {self.max_body} bytes.")
        body = await read_body(receive, self.max_body)
        method: str = scope["method"]
        raw_path = scope.get("raw_path")
        path = raw_path.decode("latin-1").partition("?")[0] if raw_path else scope["path"]
        found = self.router.match(method, path)
        if found is None:
            raise ApiError(404, "not_found", "There is no such API path.")
        route = found.route
        authorization = headers.get(b"authorization")
        who = caller_for(route, authorization.decode("latin-1") if authorization else None, self.tokens)
        client = scope.get("client")
        forwarded = headers.get(b"x-forwarded-for")
        address = address_of(client[0] if client else None, forwarded.decode("latin-1") if forwarded else None,
                             self.trusted)
        if not route.stream:
            if route.limit is not None:
                self.limits[route.limit.name].check(self.rate_windows, address)
            if route.body_limit is not None and len(body) > route.body_limit:
                raise ApiError(413, "payload_too_large",
                               f"The request body is larger than {route.body_limit} bytes.")
        upstream = self.upstreams[route.service]
        upstream_headers = forwarded_headers(upstream.internal_token, who, address)
        upstream_headers[CORRELATION_HEADER] = correlation_id
        if language := headers.get(b"accept-language"):
            # Services pick texts for callers without a profile by it.
            upstream_headers["accept-language"] = language.decode("latin-1")[:200]
        if (key := headers.get(b"idempotency-key")) is not None:
            upstream_headers["idempotency-key"] = key.decode("latin-1")  # a client's retry key for a write
        if body:
            upstream_headers["content-type"] = "application/json"
        # Path and query are percent-encoded already and go on as they are (repeated parameters stay repeated).
        query = scope["query_string"].decode("latin-1")
        if route.stream:  # a long-lived event stream: relayed as it comes, closed at the session's end
            url = URL.build(path=found.upstream_path, query_string=query, encoded=True)
            last = headers.get(b"last-event-id")
            refusal = await relay(receive, send, self.stream_clients, upstream, url, upstream_headers,
                                  last.decode("latin-1") if last else None, answer_headers, self.ended,
                                  who.session_id if who else None)
            if refusal is not None:
                status, content, content_type = refusal
                await _send_whole(send, status, content, content_type, [*answer_headers, NO_STORE])
            return
        answer_headers.append(NO_STORE)
        target = f"{found.upstream_path}?{query}" if query else found.upstream_path
        try:
            response = await upstream.pool().send(method, target, upstream_headers, body)
        except (TimeoutError, UpstreamError) as exc:
            raise upstream.unreachable() from exc
        if response.status >= 500:
            response.discard()
            raise upstream.failed()
        content_type = response.header(b"content-type")
        if response.whole is not None:
            await _send_whole(send, response.status, response.whole, content_type, answer_headers)
            return
        try:
            await _send_streamed(send, response, content_type, answer_headers)
        except (TimeoutError, UpstreamError) as exc:
            raise upstream.unreachable() from exc
        finally:
            response.discard()  # a no-op once the answer was read to its end


def _correlation_id(incoming: bytes) -> str:
    value = incoming.decode("latin-1")
    return value if valid_correlation_id(value) else new_correlation_id()


async def _send_whole(send: Send, status: int, content: bytes, content_type: bytes | str | None,
                      answer_headers: list[tuple[bytes, bytes]]) -> None:
    headers = [(b"content-length", str(len(content)).encode()), *answer_headers]
    if content_type:
        headers.append((b"content-type", content_type if isinstance(content_type, bytes)
                        else content_type.encode("latin-1")))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


async def _send_streamed(send: Send, response: Answer, content_type: bytes | None,
                         answer_headers: list[tuple[bytes, bytes]]) -> None:
    # The first chunk is read before the answer starts: a service failing at once still gets the 503.
    first = await response.read_chunk()
    headers = list(answer_headers)
    if response.content_length is not None:
        headers.append((b"content-length", str(response.content_length).encode()))
    if content_type:
        headers.append((b"content-type", content_type))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    chunk = first
    while chunk:
        await send({"type": "http.response.body", "body": chunk, "more_body": True})
        chunk = await response.read_chunk()
    await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _send_error(send: Send, status: int, body: dict[str, Any], answer_headers: list[tuple[bytes, bytes]]) -> None:
    content = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    headers = [*answer_headers] if any(name == b"cache-control" for name, _ in answer_headers) \
        else [*answer_headers, NO_STORE]
    await _send_whole(send, status, content, "application/json", headers)
