"""Uniform JSON errors for every HTTP surface: {"error": {"code", "message", "details"}}, never a bare 500."""

import logging
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from konnect_kit.domain_errors import DomainError

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "validation_failed", 429: "too_many_requests", 502: "bad_gateway", 503: "unavailable",
}

# The one place a domain refusal's kind becomes an HTTP status.
DOMAIN_STATUS = {
    "invalid": 422, "bad_request": 400, "unauthenticated": 401, "forbidden": 403, "not_found": 404,
    "conflict": 409, "throttled": 429,
}


class ApiError(Exception):
    """A domain refusal with a stable machine code and a message a client can show."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=exc.status)

    @app.exception_handler(DomainError)
    async def _domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, exc.details), status_code=DOMAIN_STATUS[exc.kind])

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.detail, dict) and "code" in exc.detail:
            body = error_body(exc.detail["code"], exc.detail.get("message", ""), exc.detail.get("details"))
        else:
            body = error_body(_CODES.get(exc.status_code, "error"), str(exc.detail))
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return JSONResponse(
            error_body("validation_failed", "The request is not valid.", details), status_code=422
        )

    @app.exception_handler(IntegrityError)
    async def _conflict(_: Request, exc: IntegrityError) -> JSONResponse:
        # Two writes raced on a unique rule (or a deferred check failed at commit): nothing was saved.
        log.warning("write refused by a database constraint", extra={"error": str(exc.orig)[:500]})
        return JSONResponse(error_body("conflict", "The change conflicts with another change; reload and retry."),
                            status_code=409)

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        # SQLSTATE class 22 (data exception, e.g. a NUL character in text): the input is at fault, not us.
        if str(getattr(exc.orig, "sqlstate", "") or "").startswith("22"):
            log.warning("value refused by the database", extra={"error": str(exc.orig)[:500]})
            return JSONResponse(error_body("invalid_value", "A value in the request cannot be stored."),
                                status_code=422)
        return await _unexpected(request, exc)

    # The same answers for a statement run driver-level on the unit of work's connection (konnect_kit.db.driver),
    # which raises asyncpg's errors as they are, without SQLAlchemy's wrapping.
    @app.exception_handler(asyncpg.PostgresError)
    async def _driver_error(request: Request, exc: asyncpg.PostgresError) -> JSONResponse:
        sqlstate = str(getattr(exc, "sqlstate", "") or "")
        if sqlstate.startswith("23"):
            log.warning("write refused by a database constraint", extra={"error": str(exc)[:500]})
            return JSONResponse(error_body("conflict", "The change conflicts with another change; reload and retry."),
                                status_code=409)
        if sqlstate.startswith("22"):
            log.warning("value refused by the database", extra={"error": str(exc)[:500]})
            return JSONResponse(error_body("invalid_value", "A value in the request cannot be stored."),
                                status_code=422)
        return await _unexpected(request, exc)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return JSONResponse(error_body("internal_error", "Something went wrong on our side."), 500)
