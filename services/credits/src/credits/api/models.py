"""Request and response bodies of the credits API."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal, Self
from uuid import UUID

from konnect_contracts.common import CareType
from konnect_contracts.events.credits import CreditUnit, UsageRule
from konnect_kit.values import SupportedDate, decimal_amount
from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator

from credits.domain.ledger import CreditState, plain

# What a grant may carry: a positive number of hours or points, at most 8 digits before the point and 4 after.
GrantAmount = decimal_amount(integer_digits=8, decimal_places=4, positive=True)

# Numeric columns keep the scale of their arithmetic (0 + 2.5 - 1.5 = 1.0): answers show 1.
Amount = Annotated[Decimal, PlainSerializer(lambda d: str(plain(d)), return_type=str)]


class GrantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    organisation_id: UUID
    child_id: UUID
    family_id: UUID | None = None
    unit: CreditUnit
    amount: GrantAmount
    valid_from: SupportedDate
    valid_until: SupportedDate
    usage_rule: UsageRule = "any_day"
    care_types: list[CareType] = Field(default_factory=list, max_length=3,
                                       description="Empty: usable for every care type.")
    description: str | None = Field(default=None, max_length=500)
    external_id: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


class BalanceOut(BaseModel):
    granted: Amount
    reserved: Amount
    consumed: Amount
    usable: Amount


class HistoryEntry(BaseModel):
    request_id: UUID
    line_id: UUID
    amount: Amount
    status: Literal["reserved", "consumed", "released"]
    cause: Literal["rejected", "expired", "cancelled"] | None
    reserved_at: datetime
    consumed_at: datetime | None
    released_at: datetime | None


class CreditOut(BaseModel):
    credit_id: UUID
    organisation_id: UUID
    child_id: UUID
    family_id: UUID | None
    unit: CreditUnit
    valid_from: date
    valid_until: date
    usage_rule: UsageRule
    care_types: list[CareType]
    description: str | None
    external_id: str | None
    granted_at: datetime
    balance: BalanceOut
    state: CreditState
    history: list[HistoryEntry]


class ChildCreditsOut(BaseModel):
    child_id: UUID
    items: list[CreditOut]


class UsableCredit(BaseModel):
    credit_id: UUID
    unit: CreditUnit
    usable: Amount
    valid_from: date
    valid_until: date
    usage_rule: UsageRule
    care_types: list[CareType]
    description: str | None


class UsableCreditsOut(BaseModel):
    child_id: UUID
    items: list[UsableCredit]
