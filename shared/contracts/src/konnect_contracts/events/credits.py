"""``credits.ledger.v1``: the child-bound credit ledger, keyed by ``child_id``.

Saga: RequestSubmitted (payment=credit) → CreditReserved | CreditReservationFailed → ChildEvaluated →
CreditConsumed (accepted) | CreditReleased (rejected, expired, cancelled). Amounts are in the
credit's unit (hours or points) and travel as decimal strings.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from konnect_contracts.common import CareType
from konnect_contracts.envelope import EventPayload

TOPIC = "credits.ledger.v1"

CreditUnit = Literal["hours", "points"]
UsageRule = Literal["any_day", "holiday_weeks", "school_weeks"]

# Well-known CreditReservationFailed.reason_code values (an open set: consumers must accept others).
REASON_INSUFFICIENT_BALANCE = "insufficient_balance"
REASON_NOT_VALID_ON_DATE = "not_valid_on_date"
REASON_CARE_TYPE_NOT_ALLOWED = "care_type_not_allowed"
REASON_CREDIT_NOT_FOUND = "credit_not_found"
REASON_WRONG_CHILD = "wrong_child"


class _LedgerEvent(EventPayload):
    TOPIC: ClassVar[str] = TOPIC
    KEY_FIELD: ClassVar[str] = "child_id"


class CreditGranted(_LedgerEvent):
    EVENT_TYPE: ClassVar[str] = "CreditGranted"

    credit_id: UUID
    organisation_id: UUID
    child_id: UUID
    family_id: UUID | None = None
    unit: CreditUnit
    amount: Decimal = Field(gt=0)
    valid_from: date
    valid_until: date
    usage_rule: UsageRule = "any_day"
    care_types: tuple[CareType, ...] = Field(default=(), description="Empty: usable for every care type.")
    description: str | None = None


class CreditReserved(_LedgerEvent):
    EVENT_TYPE: ClassVar[str] = "CreditReserved"

    credit_id: UUID
    organisation_id: UUID
    child_id: UUID
    request_id: UUID
    line_id: UUID
    amount: Decimal
    remaining: Decimal = Field(description="Balance still available after this reservation.")


class CreditReservationFailed(_LedgerEvent):
    EVENT_TYPE: ClassVar[str] = "CreditReservationFailed"

    organisation_id: UUID
    child_id: UUID
    request_id: UUID
    line_id: UUID
    credit_id: UUID | None = None
    reason_code: str = Field(description="e.g. insufficient_balance, not_valid_on_date, credit_not_found.")
    reason: str = ""


class CreditConsumed(_LedgerEvent):
    EVENT_TYPE: ClassVar[str] = "CreditConsumed"

    credit_id: UUID
    organisation_id: UUID
    child_id: UUID
    request_id: UUID
    line_id: UUID
    amount: Decimal


class CreditReleased(_LedgerEvent):
    EVENT_TYPE: ClassVar[str] = "CreditReleased"

    credit_id: UUID
    organisation_id: UUID
    child_id: UUID
    request_id: UUID
    line_id: UUID
    amount: Decimal
    cause: Literal["rejected", "expired", "cancelled"]
