"""Every date a client can send, on every route the gateway publishes, refuses dates outside 2000..2100 with 422.

The routes and their date fields (path, query, body, nested models and lists) are enumerated from the
gateway's OpenAPI, so a new route that takes a date is covered without touching this test.
"""

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
from e2e_world import OPERATOR, bearer, build_world, client_ip, logged_in
from konnect_devstack.pytest_plugin import eventually
from konnect_devstack.stack import GATEWAY

FAR_DATES = ("9999-12-31", "0001-01-01", "1999-12-31", "2101-01-01")
IN_RANGE_EDGES = ("2000-01-01", "2100-12-31")


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _variants(spec: dict[str, Any], schema: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _resolve(spec, schema)
    options = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    return [v for option in options for v in _variants(spec, option)] if options else [schema]


def _is_date(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    return any(v.get("format") == "date" for v in _variants(spec, schema))


def date_paths(spec: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> Iterator[list[str | int]]:
    """Every location of a date inside a body schema, as a path of property names and list indexes."""
    if depth > 6:
        return
    if _is_date(spec, schema):
        yield []
        return
    for variant in _variants(spec, schema):
        for name, prop in variant.get("properties", {}).items():
            for rest in date_paths(spec, prop, depth + 1):
                yield [name, *rest]
        if variant.get("type") == "array" and "items" in variant:
            for rest in date_paths(spec, variant["items"], depth + 1):
                yield [0, *rest]


def body_with(path: list[str | int], value: str) -> Any:
    """The smallest body that carries `value` at `path` (other fields left out: their errors are listed too)."""
    if not path:
        return value
    head, *rest = path
    return [body_with(rest, value)] if isinstance(head, int) else {head: body_with(rest, value)}


def date_inputs(spec: dict[str, Any]) -> Iterator[tuple[str, str, str, str, list[str | int]]]:
    """(method, path template, where, name, body path) for every date input of every operation."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if _is_date(spec, parameter.get("schema", {})):
                    yield method, path, parameter["in"], parameter["name"], []
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                for where in date_paths(spec, body["schema"]):
                    yield method, path, "body", ".".join(map(str, where)), where


def _request(spec: dict[str, Any], method: str, path: str, where: str, name: str, body_path: list[str | int],
             value: str) -> dict[str, Any]:
    """A request with `value` at the date input and valid placeholders elsewhere in the path and query."""
    operation = spec["paths"][path][method]
    path_values, query = {}, {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            path_values[parameter["name"]] = value if _is_date(spec, parameter["schema"]) else (
                str(uuid.uuid4()) if any(v.get("format") == "uuid" for v in _variants(spec, parameter["schema"]))
                else "x")
        elif parameter["in"] == "query" and parameter["name"] == name and where == "query":
            query[name] = value
        elif parameter["in"] == "query" and parameter.get("required"):
            query[parameter["name"]] = "2026-01-05" if _is_date(spec, parameter["schema"]) else "x"
    request: dict[str, Any] = {"method": method.upper(), "url": path.format(**path_values), "params": query}
    if "requestBody" in operation:
        request["json"] = body_with(body_path, value) if where == "body" else {}
    return request


async def test_every_date_input_refuses_far_dates(stack):
    async with httpx.AsyncClient(base_url=stack.url(GATEWAY), timeout=30) as gateway:
        spec = (await gateway.get("/openapi.json")).json()
        inputs = list(date_inputs(spec))
        # The known ones at least: agenda path and query, admin closing days, bodies of requests, credits, directory.
        names = {(path, name) for _, path, _, name, _ in inputs}
        assert ("/api/v1/agenda/{child_id}/{day}", "day") in names
        assert ("/api/v1/agenda", "from") in names and ("/api/v1/agenda", "to") in names
        assert any(name.endswith("bookings.0.starts_on") for _, name in names)
        assert any(name == "birth_date" for _, name in names)
        assert any(name == "valid_until" for _, name in names)
        assert len(inputs) >= 20, inputs
        failures = []
        for method, path, where, name, body_path in inputs:
            for value in FAR_DATES:
                request = _request(spec, method, path, where, name, body_path, value)
                response = await gateway.request(**request, headers={**OPERATOR, **client_ip()})
                body = response.json()
                dated = [d for d in (body.get("error", {}).get("details") or [])
                         if isinstance(d, dict) and "2000-01-01" in d.get("msg", "")]
                if response.status_code != 422 or body["error"]["code"] != "validation_failed" or not dated:
                    failures.append((method, path, where, name, value, response.status_code, response.text[:300]))
        assert not failures, "\n".join(map(str, failures))


async def test_far_dates_in_the_agenda_answer_422_not_502(gateway, mailpit):
    # The finding as reported: a parent's own child, a far day or range made planning fail (502 here).
    w = await build_world(gateway)
    parent = bearer(await logged_in(gateway, mailpit, w.parents["eva"][1]))
    child = w.children["noor"]

    async def planning_knows_the_child() -> bool:
        return (await gateway.get(f"/api/v1/agenda/{child}/2026-03-02", headers=parent)).status_code == 200

    await eventually(planning_knows_the_child, timeout=30)
    for url in (f"/api/v1/agenda/{child}/9999-12-31", "/api/v1/agenda?from=9999-12-31&to=9999-12-31",
                f"/api/v1/availability/{child}/0001-01-01",
                f"/api/v1/availability/{child}/9999-12-31"):
        response = await gateway.get(url, headers=parent)
        assert response.status_code == 422, (url, response.text)
        assert "between 2000-01-01 and 2100-12-31" in response.text, response.text
    # The edges themselves are in range, and four weeks on from the last day does not overflow.
    for day in IN_RANGE_EDGES:
        response = await gateway.get(f"/api/v1/agenda/{child}/{day}", headers=parent)
        assert response.status_code == 200, response.text
    for query in ("from=2100-12-31", "from=2100-12-01&to=2100-12-31", "to=2000-01-01&from=2000-01-01"):
        # The default end (four weeks on) passes 2100 without trouble: only input is bounded.
        response = await gateway.get(f"/api/v1/agenda?{query}", headers=parent)
        assert response.status_code == 200, (query, response.text)
