"""Routing by the table: match the public path and check the caller (the forwarder applies limits and forwards).

The gateway knows no service's models: it does not parse bodies or parameters (the service validates
and answers 422 with the uniform body), so a service can change its request shapes without a gateway
release, and during a rolling update every request is checked by the version that handles it.
"""

from dataclasses import dataclass
from urllib.parse import quote, unquote

from konnect_kit.errors import ApiError
from konnect_kit.internal import Caller

from gateway.auth import TokenVerifier
from gateway.route_table import _PARAM, Route, RouteTable


@dataclass(frozen=True)
class Match:
    route: Route
    values: dict[str, str]  # parameter name → its segment, percent-encoded for the upstream path
    upstream_path: str = ""  # the service path with the values put in


# A compiled pattern: per segment either the literal (matched against the decoded segment) or None for a
# parameter, the parameter names in order, and the service path's segments (a literal, or the parameter's name
# in braces); compiled once at start, not per request.
_Compiled = tuple[tuple[str | None, ...], tuple[str, ...], tuple[str, ...], Route]


class Router:
    """Finds the route for a method and path. Among patterns that match, a literal segment wins over a
    `{parameter}` at the first place where they differ (`/requests/swaps` before `/requests/{request_id}`)."""

    def __init__(self, table: RouteTable) -> None:
        by_length: dict[int, list[tuple[tuple[int, ...], _Compiled]]] = {}
        for route in table.published:
            segments = route.segments
            params = [_PARAM.match(s) for s in segments]
            rank = tuple(1 if p else 0 for p in params)
            service = tuple("{" + m.group(1) + "}" if (m := _PARAM.match(s)) else s
                            for s in route.service_path.split("/") if s)
            compiled = (tuple(None if p else s for s, p in zip(segments, params, strict=True)),
                        tuple(p.group(1) for p in params if p), service, route)
            by_length.setdefault(len(segments), []).append((rank, compiled))
        self.by_length: dict[int, tuple[_Compiled, ...]] = {
            length: tuple(c for _, c in sorted(candidates, key=lambda item: item[0]))
            for length, candidates in by_length.items()}

    def match(self, method: str, raw_path: str) -> Match | None:
        """The route for `method` at `raw_path` (as sent, percent-encoded); ApiError 405 when only other
        methods are routed there, None when nothing is."""
        segments = [unquote(s) if "%" in s else s for s in raw_path.split("/") if s]
        other_methods: set[str] = set()
        for pattern, names, service, route in self.by_length.get(len(segments), ()):
            if not _literals_match(pattern, segments):
                continue
            if route.method == method:
                # Re-encoded from the decoded value: the service sees exactly one segment, whatever was sent.
                values = [quote(s, safe="") for s, p in zip(segments, pattern, strict=True) if p is None]
                bound = dict(zip(names, values, strict=True))
                path = "/" + "/".join(bound[s[1:-1]] if s[0] == "{" else s for s in service)
                return Match(route, bound, path)
            other_methods.add(route.method)
        if other_methods:
            raise ApiError(405, "method_not_allowed", f"{method} is not allowed here.",
                           {"allowed": sorted(other_methods)})
        return None


def _literals_match(pattern: tuple[str | None, ...], segments: list[str]) -> bool:
    for expected, actual in zip(pattern, segments, strict=True):
        if expected is not None and expected != actual:
            return False
    return True


def bearer_token(authorization: str | None) -> str | None:
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    return token if token and scheme.lower() == "bearer" else None


def caller_for(route: Route, authorization: str | None, tokens: TokenVerifier) -> Caller | None:
    """The caller the route requires (ApiError 401/403 otherwise); None for public routes (no token read)."""
    if route.access.kind == "public":
        return None
    token = bearer_token(authorization)
    if token is None:
        raise ApiError(401, "unauthorized", "Log in first: no bearer token was sent.")
    who = tokens.caller(token)  # also refuses ended sessions (gateway.ended_sessions)
    if route.access.kind == "roles" and who.role not in route.access.roles:
        raise ApiError(403, "forbidden", "Your role may not do this.")
    return who
