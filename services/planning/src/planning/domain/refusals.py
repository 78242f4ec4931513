"""Domain refusals: a stable machine code and a message a parent can read, mapped to HTTP by the API layer."""

from typing import Any


class Refusal(Exception):
    """A rule said no. `status` is the HTTP answer the API gives (422 bad input, 409 wrong state, 404 unknown)."""

    def __init__(self, code: str, message: str, details: Any = None, *, status: int = 422) -> None:
        super().__init__(message)
        self.code, self.message, self.details, self.status = code, message, details, status
