"""Domain refusals: a rule said no, with a stable machine code and a message a parent can read.

A `Refusal` is a `DomainError` whose kind (invalid, conflict, not_found) is chosen where the rule is
applied; the kit's error handlers turn the kind into the HTTP answer, so domain and service code name no
HTTP status.
"""

from typing import Any, Literal

from konnect_kit.domain_errors import DomainError

RefusalKind = Literal["invalid", "conflict", "not_found"]


class Refusal(DomainError):
    """A rule said no: by default the input is not acceptable (invalid); a wrong state is a conflict."""

    def __init__(self, code: str, message: str, details: Any = None, *, kind: RefusalKind = "invalid") -> None:
        super().__init__(code, message, details)
        self.kind = kind  # type: ignore[misc]  # per refusal, not per class
