"""Every service's OpenAPI document tells the truth about refusals: one post-processor, used by every app.

FastAPI documents a 422 with its own `{"detail": ...}` body, which no Konnect route sends, and nothing
else. `truthful_openapi` rewrites a generated document so that every operation

- documents the uniform error body (`ErrorBody`) for each refusal it can give: 401/403 when it needs a
  caller, 404 when its path names something, 409 for writes, 413 when it takes a body, 422 always (and
  `4XX`/`5XX` for the rest, e.g. 400 for unreadable JSON or 503 when a dependency is down);
- carries a security requirement: the bearer scheme when it needs a caller, `security: []` otherwise;
- has a summary and a description (the route's docstring, else its summary).

Services call `install_openapi(app)` through `konnect_kit.service.create_service_app`, so a new route gets
all of it without doing anything. The gateway runs the same function over the merged document, then sets
security and 401/403/429 from its route table (the edge decides who may call, not the service).
"""

import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

ERROR_SCHEMA_NAME = "ErrorBody"
ERROR_REF = f"#/components/schemas/{ERROR_SCHEMA_NAME}"
BEARER_SCHEME = "bearer"

ERROR_BODY: dict[str, Any] = {
    "type": "object",
    "title": ERROR_SCHEMA_NAME,
    "description": "Every refusal, from every route: a stable code, a sentence a client can show, details per code.",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message", "details"],
        "properties": {
            "code": {"type": "string", "description": "Stable machine code, e.g. validation_failed."},
            "message": {"type": "string", "description": "A sentence a client can show."},
            "details": {"description": "Per code: for validation_failed a list of {loc, msg, type}."},
        },
    }},
    "example": {"error": {"code": "not_found", "message": "Not found.", "details": None}},
}

# Why each refusal happens, as the document says it.
REFUSALS: dict[str, str] = {
    "401": "No valid access token (unauthorized, invalid_token, token_expired, session_ended).",
    "403": "The caller's role may not do this (forbidden).",
    "404": "Nothing with that id exists for this caller (not_found; another organisation's data looks absent).",
    "409": "The change conflicts with the current state or another change (conflict and specific codes).",
    "413": "The request body is too large (payload_too_large).",
    "422": "The request is not valid (validation_failed, invalid_characters, or a domain rule).",
    "429": "Too many requests from this address (too_many_requests; details.retry_after_seconds).",
    "4XX": "Refused (the body says why).",
    "5XX": "A service is not available right now (bad_gateway, service_unavailable).",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
_FASTAPI_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError")


def error_response(status: str) -> dict[str, Any]:
    return {"description": REFUSALS.get(status, REFUSALS["4XX"]),
            "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}}


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, method, operation) for every operation of a document."""
    return [(path, method, op) for path, item in spec.get("paths", {}).items()
            for method, op in item.items() if method in HTTP_METHODS]


def document_refusals(spec: dict[str, Any], needs_caller: Callable[[str, str], bool | None]) -> dict[str, Any]:
    """Rewrites `spec` in place (and returns it). `needs_caller(path, method)` says whether an operation needs
    a logged-in caller: True → bearer + 401/403, False → `security: []`, None → leave security alone."""
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in _FASTAPI_ERROR_SCHEMAS:
        schemas.pop(unused, None)
    schemas[ERROR_SCHEMA_NAME] = ERROR_BODY
    components.setdefault("securitySchemes", {})[BEARER_SCHEME] = {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "Access token from POST /api/v1/auth/login (or the platform operator token).",
    }
    for path, method, operation in operations(spec):
        responses = operation.setdefault("responses", {})
        for status, answer in list(responses.items()):
            # Routes' own `responses={409: {...}}` get the real body, whatever FastAPI put there.
            if status[0] in "45" and status != "default":
                # (FastAPI's own 422 text "Validation Error" is replaced by what the 422 really covers.)
                own = answer.get("description")
                responses[status] = {**error_response(status),
                                     **({"description": own} if own and status != "422" else {})}
        wanted = ["422", "4XX", "5XX"]
        if "{" in path:
            wanted.append("404")
        if method in WRITE_METHODS:
            wanted.append("409")
        if "requestBody" in operation:
            wanted.append("413")
        caller = needs_caller(path, method)
        if caller is True:
            wanted += ["401", "403"]
            operation["security"] = [{BEARER_SCHEME: []}]
        elif caller is False:
            operation["security"] = []
        for status in wanted:
            responses.setdefault(status, error_response(status))
        operation["responses"] = dict(sorted(responses.items()))
        summary = operation.get("summary") or re.sub(r"[_/{}]+", " ", f"{method} {path}").strip().capitalize()
        operation["summary"] = summary
        operation.setdefault("description", summary + ".")
    return spec


def _needs_caller(route: APIRoute) -> bool:
    """Whether the route asks for a logged-in caller (directly or through its dependencies). Used for the
    document only: who may call is decided by the gateway's route table, never inferred from this."""
    from konnect_kit.internal import caller  # late: internal imports errors, which imports nothing of ours

    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        if dependant.call is caller:
            return True
        pending.extend(dependant.dependencies)
    return False


def install_openapi(app: FastAPI) -> None:
    """Replace `app.openapi` with the truthful document (built once, on first use)."""
    generate = app.openapi

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = generate()
            callers = {(route.path, method.lower()): _needs_caller(route)
                       for route in app.routes if isinstance(route, APIRoute) and route.include_in_schema
                       for method in route.methods}
            app.openapi_schema = document_refusals(spec, lambda path, method: callers.get((path, method)))
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
