"""Request, swap and absence bodies and answers of the requests API (pydantic, shown in the OpenAPI)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Literal, Self
from uuid import UUID

from konnect_kit.values import SupportedDate
from pydantic import BaseModel, ConfigDict, Field, model_validator

Ids = list[UUID]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BookingChildIn(_In):
    child_id: UUID
    day_part_ids: Ids = Field(min_length=1, max_length=12)
    payment: Literal["invoice", "credit"] = "invoice"
    credit_id: UUID | None = None

    @model_validator(mode="after")
    def _payment(self) -> Self:
        if (self.payment == "credit") != (self.credit_id is not None):
            raise ValueError("payment 'credit' needs credit_id, and only it carries one (no split payment)")
        return self


class BookingIn(_In):
    starts_on: SupportedDate
    ends_on: SupportedDate | None = Field(default=None, description="Inclusive; omit for a single date.")
    children: list[BookingChildIn] = Field(min_length=1, max_length=20)


class ExtraDaysIn(_In):
    family_id: UUID | None = Field(default=None, description="Staff and administrators: the family.")
    all_or_nothing: bool = Field(default=False, description="Single-date requests only: all children or none.")
    expires_on: SupportedDate | None = Field(default=None, description="Last day to wait; default the first care date.")
    bookings: list[BookingIn] = Field(min_length=1, max_length=50)


class SwapIn(_In):
    child_id: UUID
    give_up_date: SupportedDate
    give_up_day_part_ids: Ids = Field(min_length=1, max_length=12)
    target_date: SupportedDate
    day_part_ids: Ids = Field(min_length=1, max_length=12)


class SwapsIn(_In):
    family_id: UUID | None = None
    all_or_nothing: bool = False
    expires_on: SupportedDate | None = None
    swaps: list[SwapIn] = Field(min_length=1, max_length=50)


class AbsenceChildIn(_In):
    child_id: UUID
    day_part_ids: Ids = Field(default_factory=list, max_length=12,
                              description="The planned day parts missed; empty: all of them.")


class AbsenceIn(_In):
    family_id: UUID | None = None
    starts_on: SupportedDate
    ends_on: SupportedDate | None = None
    reason: Literal["sick", "vacation", "other"]
    note: str | None = Field(default=None, max_length=1000)
    children: list[AbsenceChildIn] = Field(min_length=1, max_length=20)


class EvaluationIn(_In):
    outcome: Literal["accepted", "rejected"]
    reason: str | None = Field(default=None, max_length=1000, description="Shown to the parents.")
    line_id: UUID | None = Field(default=None, description="One line of the child; default every open one.")
    override_capacity: bool = Field(default=False, description="Accept even where the group is full that day.")

    @model_validator(mode="after")
    def _reason(self) -> Self:
        if self.outcome == "rejected" and not (self.reason or "").strip():
            raise ValueError("a rejection needs a reason the parents can read")
        return self


class LineOut(BaseModel):
    line_id: UUID
    child_id: UUID
    group_id: UUID
    care_type: str | None
    starts_on: date
    ends_on: date
    dates: list[date]
    day_part_ids: Ids
    minutes: int
    payment: str
    credit_id: UUID | None
    credit_amount: Decimal | None
    price: Decimal | None
    give_up_date: date | None
    give_up_day_part_ids: Ids
    target_date: date | None
    forfeited_minutes: int
    status: str
    reason: str | None
    evaluation_outcome: str | None
    evaluation_reason: str | None
    evaluated_by: str | None
    evaluated_at: datetime | None
    reservation_status: str
    reservation_reason: str | None


class ChildRequestOut(BaseModel):
    child_id: UUID
    status: str
    can_cancel: bool
    cancel_blocked_reason: str | None
    lines: list[LineOut]


class RequestOut(BaseModel):
    request_id: UUID
    organisation_id: UUID
    family_id: UUID
    kind: str
    all_or_nothing: bool
    expires_on: date
    submitted_at: datetime
    decided_at: datetime | None
    status: str
    children: list[ChildRequestOut]


class AbsenceOut(BaseModel):
    absence_id: UUID
    child_id: UUID
    starts_on: date
    ends_on: date
    day_part_ids: Ids
    reason: str
    note: str | None
    status: str
    reported_at: datetime
    can_cancel: bool
    cancel_blocked_reason: str | None


class OverviewOut(BaseModel):
    family_id: UUID
    requests: list[RequestOut]
    absences: list[AbsenceOut]


class AbsencesOut(BaseModel):
    absences: list[AbsenceOut]


class EvaluatedOut(BaseModel):
    evaluated_line_ids: Ids
    request: RequestOut
