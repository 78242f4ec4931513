"""Domain refusals: what the service layer raises, without knowing about HTTP.

A service layer says *what kind* of refusal it is (not found, conflict, ...) with a stable machine code
and a message; the kit's error handlers (`konnect_kit.errors`) turn the kind into an HTTP status. So a
service layer can be called from a route, a Kafka handler or a worker alike, and the layering rule
"the service layer never names HTTP codes" is checked by import-linter (it may not import
`konnect_kit.errors`, fastapi or starlette). This module imports nothing from the web stack on purpose.
"""

from typing import Any, ClassVar


class DomainError(Exception):
    """A refusal with a stable machine code, a message a client can show and optional details."""

    kind: ClassVar[str] = "invalid"

    def __init__(self, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.details = code, message, details


class Invalid(DomainError):
    """The input is well formed but not acceptable (422)."""

    kind = "invalid"


class BadRequest(DomainError):
    """The request cannot be acted on as sent, e.g. a link that is no longer valid (400)."""

    kind = "bad_request"


class Unauthenticated(DomainError):
    """Who the caller is could not be established (401)."""

    kind = "unauthenticated"


class Forbidden(DomainError):
    """The caller is known but may not do this (403)."""

    kind = "forbidden"


class NotFound(DomainError):
    """No such thing, or the caller may not know it exists (404)."""

    kind = "not_found"


class Conflict(DomainError):
    """The change contradicts the current state (409)."""

    kind = "conflict"


class Throttled(DomainError):
    """Too many attempts; come back later (429)."""

    kind = "throttled"
