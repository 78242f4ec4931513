"""``planning.requests.v1`` (request lifecycle and absences) and ``planning.evaluations.v1``
(``ChildEvaluated``), both keyed by ``family_id`` so one family's events stay in order.

The names ``RequestSubmitted``, ``ChildEvaluated`` and ``RequestExpired`` are fixed: ERP systems code
against them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import ClassVar, Literal, Self
from uuid import UUID

from pydantic import Field, model_validator

from konnect_contracts.common import CareType, ContractModel
from konnect_contracts.envelope import EventPayload

REQUESTS_TOPIC = "planning.requests.v1"
EVALUATIONS_TOPIC = "planning.evaluations.v1"

RequestKind = Literal["extra_day", "swap"]
Payment = Literal["invoice", "credit"]
Outcome = Literal["accepted", "rejected"]


class _RequestsEvent(EventPayload):
    TOPIC: ClassVar[str] = REQUESTS_TOPIC
    KEY_FIELD: ClassVar[str] = "family_id"


class RequestLine(ContractModel):
    """One booking line: one child, one date or period, some day parts.

    For ``extra_day`` lines ``starts_on``..``ends_on`` and ``day_part_ids`` are the extra care asked for.
    For ``swap`` lines they are the new presence on the target date(s); ``give_up_date`` and
    ``give_up_day_part_ids`` are the planned care given up, and ``forfeited_minutes`` is the part of
    the given-up time that the shorter new presence does not cover (a swap never gains time).
    """

    line_id: UUID
    child_id: UUID
    group_id: UUID
    starts_on: date
    ends_on: date = Field(description="Inclusive; equal to starts_on for a single day.")
    day_part_ids: tuple[UUID, ...] = Field(min_length=1)
    payment: Payment = "invoice"
    price: Decimal | None = Field(default=None, description="Price in EUR when paid by invoice, if known.")
    credit_id: UUID | None = Field(default=None, description="Credit reserved (payment=credit).")
    credit_amount: Decimal | None = Field(default=None, description="Amount in the credit's unit.")
    give_up_date: date | None = None
    give_up_day_part_ids: tuple[UUID, ...] = ()
    target_date: date | None = Field(default=None, description="Swap only: the date care moves to.")
    forfeited_minutes: int = Field(default=0, ge=0)
    care_type: CareType | None = Field(default=None, description="Care type of the placement the line books.")
    in_school_holiday: bool | None = Field(
        default=None, description="True when every date of the line lies in the organisation's school holidays.")

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        if self.payment == "credit" and self.credit_id is None:
            raise ValueError("payment 'credit' needs credit_id")
        return self


class RequestSubmitted(_RequestsEvent):
    """A family submitted an extra-day or swap request; every line is pending until evaluated."""

    EVENT_TYPE: ClassVar[str] = "RequestSubmitted"

    request_id: UUID
    organisation_id: UUID
    family_id: UUID
    location_id: UUID | None = None
    kind: RequestKind
    all_or_nothing: bool = False
    expires_on: date | None = Field(default=None, description="Last day to wait for evaluation.")
    submitted_by_account_id: UUID
    lines: tuple[RequestLine, ...] = Field(min_length=1)


class ChildEvaluated(EventPayload):
    """One child's line of a request was accepted or rejected, by staff (through planning) or an ERP."""

    EVENT_TYPE: ClassVar[str] = "ChildEvaluated"
    TOPIC: ClassVar[str] = EVALUATIONS_TOPIC
    KEY_FIELD: ClassVar[str] = "family_id"

    request_id: UUID
    organisation_id: UUID
    family_id: UUID
    line_id: UUID
    child_id: UUID
    outcome: Outcome
    reason: str | None = Field(default=None, description="Shown to parents; expected when rejected.")
    evaluated_by: Literal["staff", "erp"]
    evaluator_id: str = Field(description="Staff id, or the ERP system's own identifier.")


class LineOutcome(ContractModel):
    line_id: UUID
    child_id: UUID
    outcome: Outcome
    reason: str | None = None


class RequestDecided(_RequestsEvent):
    """Every line of the request is evaluated (after all-or-nothing is applied)."""

    EVENT_TYPE: ClassVar[str] = "RequestDecided"

    request_id: UUID
    organisation_id: UUID
    family_id: UUID
    outcomes: tuple[LineOutcome, ...] = Field(min_length=1)


class RequestExpired(_RequestsEvent):
    """``expires_on`` passed with lines still pending: those lines are withdrawn."""

    EVENT_TYPE: ClassVar[str] = "RequestExpired"

    request_id: UUID
    organisation_id: UUID
    family_id: UUID
    expired_line_ids: tuple[UUID, ...] = Field(min_length=1)
    child_ids: tuple[UUID, ...] = ()


class RequestCancelled(_RequestsEvent):
    """A parent cancelled one child's lines (for a period request: the whole period for that child)."""

    EVENT_TYPE: ClassVar[str] = "RequestCancelled"

    request_id: UUID
    organisation_id: UUID
    family_id: UUID
    child_id: UUID
    line_ids: tuple[UUID, ...] = Field(min_length=1)
    cancelled_by_account_id: UUID | None = None


class AbsenceReported(_RequestsEvent):
    """An absence was registered at once (no evaluation). One event per child."""

    EVENT_TYPE: ClassVar[str] = "AbsenceReported"

    absence_id: UUID
    organisation_id: UUID
    family_id: UUID
    child_id: UUID
    starts_on: date
    ends_on: date = Field(description="Inclusive; equal to starts_on for a single day.")
    day_part_ids: tuple[UUID, ...] = ()
    reason: Literal["sick", "vacation", "other"]
    note: str | None = None
    reported_by_account_id: UUID | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        return self


class AbsenceCancelled(_RequestsEvent):
    EVENT_TYPE: ClassVar[str] = "AbsenceCancelled"

    absence_id: UUID
    organisation_id: UUID
    family_id: UUID
    child_id: UUID
    cancelled_by_account_id: UUID | None = None
