"""The route table decides routing and access, fail closed: checked against the services' committed OpenAPI
documents at start, and every non-public operation refuses an anonymous call (enumerated from the table)."""

import re
import time
import uuid
from pathlib import Path
from urllib.parse import quote, unquote

import httpx
import jwt
import pytest
from gateway.auth import AUDIENCE, ISSUER
from gateway.edge import Router
from gateway.main import create_app
from gateway.route_table import DEFAULT_TABLE, RouteTableError, load, parse
from gateway.settings import Settings
from konnect_kit.errors import ApiError
from konnect_kit.openapi import ERROR_REF, operations

SECRET = "test-jwt-secret-0123456789abcdef0123456789"
TABLE = load()


def app_with_table(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "routes.txt"
    path.write_text(text)
    return create_app(Settings(route_table=str(path), jwt_secret=SECRET))


def without_line(pattern: str) -> str:
    lines = DEFAULT_TABLE.read_text().splitlines()
    kept = [line for line in lines if not re.match(pattern, line)]
    assert len(kept) == len(lines) - 1, pattern
    return "\n".join(kept)


def test_a_table_missing_one_operation_of_a_service_refuses_to_start_naming_it(tmp_path: Path) -> None:
    with pytest.raises(RouteTableError) as refused:
        app_with_table(tmp_path, without_line(r"GET\s+/api/v1/children/\{child_id\}/credits\s"))
    assert "credits GET /children/{child_id}/credits (operation" in str(refused.value)
    # Only that one: the rest of the table matches the documents.
    assert str(refused.value).count("has no line") == 1


def test_an_unpublished_service_operation_still_needs_its_internal_line(tmp_path: Path) -> None:
    with pytest.raises(RouteTableError, match="notifications GET /deliveries"):
        app_with_table(tmp_path, without_line(r"GET\s+-\s+notifications:/deliveries"))


def test_a_stale_line_for_an_operation_the_service_does_not_have_refuses_to_start(tmp_path: Path) -> None:
    text = DEFAULT_TABLE.read_text() + "\nGET /api/v1/ghosts identity:/ghosts authenticated\n"
    with pytest.raises(RouteTableError, match="identity has no operation GET /ghosts"):
        app_with_table(tmp_path, text)


@pytest.mark.parametrize("line", [
    "GET /api/v1/me identity:/me",  # no access rule: never public by omission
    "GET /api/v1/me identity:/me everyone",
    "GET /api/v1/me identity:/me roles=",
    "GET /api/v1/me identity:/me roles=parent,superuser",
    "GET /api/v1/me identity:/me authenticated limit=undeclared",
    "GET /api/v1/children/{id} identity:/children/{child_id} authenticated",  # parameters must agree
])
def test_a_line_without_a_valid_access_rule_is_refused(line: str) -> None:
    with pytest.raises(RouteTableError):
        parse(line)


def test_the_public_operations_are_exactly_these() -> None:
    public = {(r.method, r.public_path) for r in TABLE.published if r.access.kind == "public"}
    assert public == {("POST", f"/api/v1/auth/{p}") for p in (
        "login", "refresh", "invitation/accept", "password-reset", "password-reset/confirm", "machine-token")} | {
        ("GET", "/api/v1/calendar-feeds/{secret}"),  # calendar apps fetch it without a login: the secret is the key
        ("POST", "/api/v1/email-unsubscribe/{token}")}  # a mail client's one click (RFC 8058): the signed token
    assert all(r.limit is not None for r in TABLE.published if r.access.kind == "public")


def test_path_patterns_not_prefixes_pick_the_service() -> None:
    router, child = Router(TABLE), str(uuid.uuid4())
    assert router.match("GET", f"/api/v1/children/{child}").route.service == "identity"  # type: ignore[union-attr]
    assert router.match("GET", f"/api/v1/children/{child}/credits").route.service == "credits"  # type: ignore[union-attr]
    assert router.match("GET", f"/api/v1/children/{child}/credits/usable").route.service_path == \
        "/children/{child_id}/credits/usable"  # type: ignore[union-attr]
    found = router.match("GET", "/api/v1/platform/planning/organisations/x%2Fy")
    assert found is not None and found.route.service == "planning" and found.values == {"organisation_id": "x%2Fy"}
    assert found.route.upstream_path(found.values) == "/organisations/x%2Fy"  # one segment, still encoded
    assert router.match("GET", "/api/v1/children") is None
    with pytest.raises(ApiError) as wrong_method:
        router.match("DELETE", f"/api/v1/children/{child}")
    assert wrong_method.value.status == 405


def _reference_match(table: object, method: str, raw_path: str) -> object:
    """Routing as the table defines it, the plain way: among the published patterns of the path's length whose
    literals equal the path's (decoded) segments, sorted so that a literal wins over a parameter at the first place
    they differ (table order otherwise), the first routed for `method`; 405 with the others' methods; else None."""
    segments = [unquote(s) for s in raw_path.split("/") if s]
    candidates = []
    for position, route in enumerate(table.published):  # type: ignore[attr-defined]
        pattern = route.segments
        if len(pattern) == len(segments) and all(
                p.startswith("{") or p == s for p, s in zip(pattern, segments, strict=True)):
            candidates.append((tuple(int(p.startswith("{")) for p in pattern), position, route))
    methods = set()
    for _, _, route in sorted(candidates, key=lambda c: c[:2]):
        if route.method == method:
            values = {p[1:-1]: quote(s, safe="")
                      for p, s in zip(route.segments, segments, strict=True) if p.startswith("{")}
            return route, values, route.upstream_path(values)
        methods.add(route.method)
    return ("405", sorted(methods)) if methods else None


# Patterns that meet on the same method: a literal at the first place they differ must win, whatever the order of
# the lines (the real table has no such pair on one method).
CONFLICTS = parse("""
GET  /api/v1/a/{x}/c        s:/1/{x}     authenticated
GET  /api/v1/a/b/{y}        s:/2/{y}     authenticated
GET  /api/v1/a/{x}/{y}      s:/3/{x}/{y} authenticated
GET  /api/v1/a/b/c          s:/4         authenticated
POST /api/v1/a/b/c          s:/5         authenticated
GET  /api/v1/{z}/b/c        s:/6/{z}     authenticated
DELETE /api/v1/{z}/q        s:/7/{z}     authenticated
GET  /api/v1/a              s:/8         authenticated
""")


@pytest.mark.parametrize("table", [TABLE, CONFLICTS], ids=["routes.txt", "conflicts"])
def test_the_router_picks_what_the_table_says_for_every_pattern_and_its_neighbours(table: object) -> None:
    """Every published pattern with its parameters filled by an id, an encoded slash and every literal that
    appears at that place in another pattern (so literal and parameter patterns meet), under every method."""
    router = Router(table)  # type: ignore[arg-type]
    published = table.published  # type: ignore[attr-defined]
    literals: dict[int, set[str]] = {}
    for route in published:
        for at, segment in enumerate(route.segments):
            if not segment.startswith("{"):
                literals.setdefault(at, set()).add(segment)
    paths = set()
    for route in published:
        for at, segment in enumerate(route.segments):
            for value in ({str(uuid.uuid4()), "x%2Fy", "%61%62"} | literals.get(at, set())
                          if segment.startswith("{") else {segment}):
                for alike in (False, True):  # the other parameters: an id each, or the same value
                    filled = [value if i == at or (alike and s.startswith("{")) else
                              str(uuid.uuid4()) if s.startswith("{") else s for i, s in enumerate(route.segments)]
                    paths.add("/" + "/".join(filled))
        paths.add(route.public_path + "/extra")
    checked, answers = 0, set()
    for path in sorted(paths):
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            expected = _reference_match(table, method, path)
            found = None
            try:
                found = router.match(method, path)
                got: object = None if found is None else (found.route, found.values, found.upstream_path)
            except ApiError as refusal:
                got = (str(refusal.status), refusal.details["allowed"])
            assert got == expected, (method, path)
            checked += expected is not None
            if found is not None and got == expected:
                answers.add(found.route.service_path)
    assert checked > (1_000 if table is TABLE else 50)
    if table is CONFLICTS:  # every line answered some path: each conflict was met
        assert answers == {r.service_path for r in published}


def _token(role: str) -> str:
    now = int(time.time())
    return jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": str(uuid.uuid4()), "role": role, "org": str(uuid.uuid4()),
                       "sid": str(uuid.uuid4()), "iat": now, "exp": now + 600}, SECRET, algorithm="HS256")


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), path)


async def test_every_operation_not_public_refuses_an_anonymous_call_and_roles_refuse_other_roles() -> None:
    app = create_app(Settings(jwt_secret=SECRET))
    guarded = [r for r in TABLE.published if r.access.kind != "public"]
    assert len(guarded) >= 70  # every operation of the table but the six public ones
    wrong: list[tuple[str, str, int]] = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        for route in guarded:
            url = _url(route.public_path or "")
            body = {} if route.method in ("POST", "PUT", "PATCH") else None
            anonymous = await client.request(route.method, url, json=body)
            if anonymous.status_code != 401 or anonymous.json()["error"]["code"] != "unauthorized":
                wrong.append((route.method, url, anonymous.status_code))
            forged = await client.request(route.method, url, json=body, headers={"Authorization": "Bearer x.y.z"})
            if forged.status_code != 401:
                wrong.append((route.method, url, forged.status_code))
            if route.access.kind == "roles":
                # Routes for people only (messaging: parents, staff, admins) refuse machines.
                outsider = next(r for r in ("parent", "staff", "org_admin", "erp", "platform_operator")
                               if r not in route.access.roles)
                refused = await client.request(route.method, url, json=body,
                                               headers={"Authorization": f"Bearer {_token(outsider)}"})
                if refused.status_code != 403:
                    wrong.append((route.method, url, refused.status_code))
    assert wrong == []


def test_the_merged_document_documents_the_uniform_error_and_security_on_every_operation() -> None:
    spec = create_app(Settings(jwt_secret=SECRET)).openapi()
    published = {(r.public_path, r.method.lower()): r for r in TABLE.published}
    assert {(path, method) for path, method, _ in operations(spec) if path.startswith("/api/")} == set(published)
    assert "HTTPValidationError" not in str(spec) and "detail" not in spec["components"]["schemas"]
    for path, method, operation in operations(spec):
        assert operation["summary"] and operation["description"], (method, path)
        errors = {status: answer for status, answer in operation["responses"].items() if status[0] == "4"}
        assert {"422", "4XX"} <= set(errors), (method, path)
        for status, answer in errors.items():  # a generated client sees one error type everywhere
            assert answer["content"]["application/json"]["schema"] == {"$ref": ERROR_REF}, (method, path, status)
        route = published.get((path, method))
        if route is None or route.access.kind == "public":
            assert operation["security"] == [], (method, path)
        else:
            assert operation["security"] == [{"bearer": []}] and "401" in errors, (method, path)
        if route is not None and route.limit is not None:
            assert "429" in errors
        if "{" in path:
            assert "404" in errors
        if "requestBody" in operation:
            assert "413" in errors
