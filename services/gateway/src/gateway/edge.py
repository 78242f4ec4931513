"""Routing by the table: match the public path, check the caller, apply limits, forward to the service.

The gateway knows no service's models: it does not parse bodies or parameters (the service validates
and answers 422 with the uniform body), so a service can change its request shapes without a gateway
release, and during a rolling update every request is checked by the version that handles it.
"""

from dataclasses import dataclass
from urllib.parse import quote, unquote

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from konnect_kit.errors import ApiError
from konnect_kit.internal import Caller

from gateway.auth import TokenVerifier
from gateway.ratelimit import RateLimit, client_address
from gateway.route_table import _PARAM, Route, RouteTable
from gateway.streaming import forward_stream
from gateway.upstream import Upstream


@dataclass(frozen=True)
class Match:
    route: Route
    values: dict[str, str]  # parameter name → its segment, percent-encoded for the upstream path


class Router:
    """Finds the route for a method and path. Among patterns that match, a literal segment wins over a
    `{parameter}` at the first place where they differ (`/requests/swaps` before `/requests/{request_id}`)."""

    def __init__(self, table: RouteTable) -> None:
        self.by_length: dict[int, list[tuple[tuple[int, ...], Route]]] = {}
        for route in table.published:
            segments = route.segments
            rank = tuple(1 if _PARAM.match(s) else 0 for s in segments)
            self.by_length.setdefault(len(segments), []).append((rank, route))
        for candidates in self.by_length.values():
            candidates.sort(key=lambda item: item[0])

    def match(self, method: str, raw_path: str) -> Match | None:
        """The route for `method` at `raw_path` (as sent, percent-encoded); ApiError 405 when only other
        methods are routed there, None when nothing is."""
        segments = [s for s in raw_path.split("/") if s]
        other_methods: set[str] = set()
        for _, route in self.by_length.get(len(segments), ()):
            values = _bind(route.segments, segments)
            if values is None:
                continue
            if route.method == method:
                return Match(route, values)
            other_methods.add(route.method)
        if other_methods:
            raise ApiError(405, "method_not_allowed", f"{method} is not allowed here.",
                           {"allowed": sorted(other_methods)})
        return None


def _bind(pattern: list[str], segments: list[str]) -> dict[str, str] | None:
    values: dict[str, str] = {}
    for expected, actual in zip(pattern, segments, strict=True):
        param = _PARAM.match(expected)
        if param is None:
            if unquote(actual) != expected:
                return None
        else:
            # Re-encoded from the decoded value: the service sees exactly one segment, whatever was sent.
            values[param.group(1)] = quote(unquote(actual), safe="")
    return values


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def caller_for(route: Route, request: Request) -> Caller | None:
    """The caller the route requires (ApiError 401/403 otherwise); None for public routes (no token read)."""
    if route.access.kind == "public":
        return None
    token = _bearer(request)
    if token is None:
        raise ApiError(401, "unauthorized", "Log in first: no bearer token was sent.")
    verifier: TokenVerifier = request.app.state.tokens
    who = verifier.caller(token)  # also refuses ended sessions (gateway.ended_sessions)
    if route.access.kind == "roles" and who.role not in route.access.roles:
        raise ApiError(403, "forbidden", "Your role may not do this.")
    return who


def edge_router(table: RouteTable) -> APIRouter:
    router = APIRouter(include_in_schema=False)  # the document is merged from the services' (gateway.openapi)
    routes = Router(table)
    limits = {name: RateLimit(name, c.limit, c.seconds) for name, c in table.rate_classes.items()}

    async def forward(request: Request) -> Response:
        raw_path = request.scope.get("raw_path", b"").decode("latin-1").split("?", 1)[0] or request.url.path
        found = routes.match(request.method, raw_path)
        if found is None:
            raise ApiError(404, "not_found", "There is no such API path.")
        route = found.route
        who = caller_for(route, request)
        if route.stream:  # a long-lived event stream: relayed as it comes, closed at the session's end
            return await forward_stream(request, request.app.state.upstreams[route.service],
                                        route.upstream_path(found.values), who)
        if route.limit is not None:
            await limits[route.limit.name](request)
        body = await request.body()  # read whole by gateway.limits.BodySizeLimit already (global limit)
        if route.body_limit is not None and len(body) > route.body_limit:
            raise ApiError(413, "payload_too_large", f"The request body is larger than {route.body_limit} bytes.")
        upstream: Upstream = request.app.state.upstreams[route.service]
        answer = await upstream.call(
            request.method, route.upstream_path(found.values), who, content=body or None,
            query=request.scope.get("query_string", b"").decode("latin-1"),
            client_ip=client_address(request), language=request.headers.get("accept-language"),
            idempotency_key=request.headers.get("idempotency-key"),
            accept=request.headers.get("accept"))
        if answer.stream is not None:  # an event stream: passed on as it comes, never buffered
            return StreamingResponse(answer.stream, status_code=answer.status_code, media_type=answer.content_type,
                                     headers={"cache-control": "no-store", "x-accel-buffering": "no"})
        return Response(answer.content, status_code=answer.status_code, media_type=answer.content_type)

    router.add_api_route("/api/{rest:path}", forward, methods=sorted({r.method for r in table.published}))
    return router
