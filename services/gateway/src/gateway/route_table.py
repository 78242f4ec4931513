"""The declarative route table (`routes.txt`): which service answers a public path, who may call it, limits.

Fail closed, at start:
- a line without a valid access rule is an error (nothing becomes public by omission);
- an operation in a service's OpenAPI document that no line covers is an error naming it, and so is a
  line naming an operation the service does not have (a stale line).
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from konnect_kit.openapi import operations

DEFAULT_TABLE = Path(__file__).parent / "routes.txt"
ROLES = frozenset({"platform_operator", "org_admin", "staff", "parent", "erp"})
METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH"})
_PARAM = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_LIMIT = re.compile(r"^(\d+)/(\d+)s$")


class RouteTableError(ValueError):
    """The table is malformed or does not match the services' documents: the gateway does not start."""


@dataclass(frozen=True)
class RateClass:
    name: str
    limit: int
    seconds: int


@dataclass(frozen=True)
class Access:
    """public, authenticated, or one of a set of roles (`roles` empty unless restricted)."""

    kind: str  # "public" | "authenticated" | "roles" | "internal"
    roles: frozenset[str] = frozenset()

    def __str__(self) -> str:
        return "roles=" + ",".join(sorted(self.roles)) if self.kind == "roles" else self.kind


@dataclass(frozen=True)
class Route:
    method: str
    public_path: str | None  # None for an `internal` line
    service: str
    service_path: str
    access: Access
    limit: RateClass | None = None
    body_limit: int | None = None
    line: int = 0
    # `stream`: a long-lived event stream (gateway.streaming), relayed as it comes and closed when the session ends.
    stream: bool = False

    @property
    def segments(self) -> list[str]:
        return split(self.public_path or "")

    def upstream_path(self, values: dict[str, str]) -> str:
        """The service path with the public path's parameter values (already percent-encoded) put in."""
        return "/" + "/".join(values[m.group(1)] if (m := _PARAM.match(s)) else s for s in split(self.service_path))


@dataclass(frozen=True)
class RouteTable:
    routes: tuple[Route, ...]
    rate_classes: dict[str, RateClass]

    @property
    def published(self) -> list[Route]:
        return [r for r in self.routes if r.public_path is not None]


def split(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _access(token: str, where: str) -> Access:
    if token in ("public", "authenticated", "internal"):
        return Access(token)
    if token.startswith("roles="):
        roles = frozenset(r for r in token.removeprefix("roles=").split(",") if r)
        if roles and roles <= ROLES:
            return Access("roles", roles)
    raise RouteTableError(f"{where}: access must be public, authenticated, internal or roles=<known roles>, "
                          f"not {token!r}")


def _params(path: str) -> list[str]:
    return [m.group(1) for s in split(path) if (m := _PARAM.match(s))]


def parse(text: str, source: str = "routes.txt") -> RouteTable:
    rate_classes: dict[str, RateClass] = {}
    routes: list[Route] = []
    seen: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{source}:{number}"
        words = line.split()
        if words[0] == "limit":
            found = _LIMIT.match(words[2]) if len(words) == 3 else None
            if found is None:
                raise RouteTableError(f"{where}: a rate class is `limit <name> <count>/<seconds>s`")
            rate_classes[words[1]] = RateClass(words[1], int(found.group(1)), int(found.group(2)))
            continue
        if len(words) < 4 or words[0] not in METHODS or ":" not in words[2]:
            raise RouteTableError(f"{where}: expected `<METHOD> <public path> <service>:<path> <access> [...]` "
                                  "(every line needs an access rule)")
        method, public, upstream, access_word, *options = words
        service, _, service_path = upstream.partition(":")
        access = _access(access_word, where)
        public_path = None if public == "-" else public
        if (public_path is None) != (access.kind == "internal"):
            raise RouteTableError(f"{where}: `-` (not published) goes with `internal`, and only with it")
        if public_path is not None and sorted(_params(public_path)) != sorted(_params(service_path)):
            raise RouteTableError(f"{where}: the public and service paths must name the same parameters")
        limit, body_limit, stream = None, None, False
        for option in options:
            key, _, value = option.partition("=")
            if key == "limit" and value in rate_classes:
                limit = rate_classes[value]
            elif key == "body" and value.isdigit():
                body_limit = int(value)
            elif option == "stream":
                stream = True
            else:
                raise RouteTableError(f"{where}: unknown option {option!r} "
                                      "(limit=<declared class>, body=<bytes>, stream)")
        if public_path is not None:
            key = (method, "/".join("{}" if _PARAM.match(s) else s for s in split(public_path)))
            if key in seen:
                raise RouteTableError(f"{where}: {method} {public_path} is already routed on line {seen[key]}")
            seen[key] = number
        routes.append(Route(method, public_path, service, service_path, access, limit, body_limit, number, stream))
    return RouteTable(tuple(routes), rate_classes)


def load(path: Path = DEFAULT_TABLE) -> RouteTable:
    return parse(path.read_text(), path.name)


def check_coverage(table: RouteTable, documents: dict[str, dict[str, Any]]) -> None:
    """Every operation of every service document has a line, and every line an operation."""
    problems: list[str] = []
    covered = {(r.service, r.method, r.service_path) for r in table.routes}
    offered: set[tuple[str, str, str]] = set()
    for service, spec in sorted(documents.items()):
        for path, method, operation in operations(spec):
            offered.add((service, method.upper(), path))
            if (service, method.upper(), path) not in covered:
                problems.append(f"{service} {method.upper()} {path} (operation {operation.get('operationId')}) "
                                "has no line in the gateway's route table")
    for route in table.routes:
        if route.service not in documents:
            problems.append(f"line {route.line}: unknown service {route.service!r}")
        elif (route.service, route.method, route.service_path) not in offered:
            problems.append(f"line {route.line}: {route.service} has no operation {route.method} {route.service_path}")
    if problems:
        raise RouteTableError("the route table does not match the services' OpenAPI documents:\n  "
                              + "\n  ".join(problems))
