"""The gateway's OpenAPI document says what every answer can be, not only the happy path.

FastAPI documents a 422 with its own validation body, which no Konnect route sends. Here every operation
documents the uniform error body for 422 and for every other 4xx/5xx, so clients (and schemathesis'
conformance checks) can rely on the document. (Routes that need a token declare the bearer scheme through
the gateway's HTTPBearer dependency.)
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_BODY = {
    "type": "object",
    "title": "ErrorBody",
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
}
_ERROR_RESPONSE = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
_NOTE = ("\n\nEvery refusal has the body `{\"error\": {\"code\", \"message\", \"details\"}}`. Text in request "
         "bodies may not contain NUL characters (422 `invalid_characters`); dates lie between 2000-01-01 and "
         "2100-12-31.")


def install_openapi(app: FastAPI) -> None:
    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, description=(app.description or "") + _NOTE,
                               routes=app.routes)
            components = spec.setdefault("components", {})
            schemas = components.setdefault("schemas", {})
            for unused in ("HTTPValidationError", "ValidationError"):
                schemas.pop(unused, None)
            schemas["ErrorBody"] = ERROR_BODY
            for item in spec.get("paths", {}).values():
                for operation in item.values():
                    responses = operation.setdefault("responses", {})
                    responses["422"] = {"description": "The request is not valid (validation_failed or a rule).",
                                        **_ERROR_RESPONSE}
                    responses.setdefault("4XX", {"description": "Refused.", **_ERROR_RESPONSE})
                    responses.setdefault("5XX", {"description": "A service is not available.", **_ERROR_RESPONSE})
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
