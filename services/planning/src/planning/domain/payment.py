"""Paying a booking: the credit amount in the credit's unit and whether a credit may pay for it at all."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from planning.domain.refusals import Refusal

HOURS_QUANTUM = Decimal("0.01")


@dataclass(frozen=True)
class CreditFacts:
    """What planning knows of a credit from `CreditGranted` (the balance is credits' business)."""

    credit_id: str
    child_id: str
    unit: str  # "hours" | "points"
    valid_from: date
    valid_until: date
    care_types: tuple[str, ...]
    usage_rule: str = "any_day"


def credit_amount(unit: str, minutes_per_date: Sequence[int], parts_per_date: Sequence[int]) -> Decimal:
    """Hours: every booked minute / 60 (two decimals); points: one point per day part per date."""
    if unit == "hours":
        return (Decimal(sum(minutes_per_date)) / 60).quantize(HOURS_QUANTUM, rounding=ROUND_HALF_UP)
    if unit == "points":
        return Decimal(sum(parts_per_date))
    raise Refusal("unknown_credit_unit", f"Credits in {unit!r} cannot pay for care.")


def check_credit_usable(credit: CreditFacts | None, *, child_id: str, dates: Sequence[date],
                        care_type: str | None, in_school_holiday: bool) -> None:
    """The credit must be the child's (credits are not transferable) and usable on every booked date.

    The balance is checked by credits when it reserves: planning never splits a payment, so a credit that
    turns out too small makes the line rejected, not partly paid.
    """
    if credit is None or credit.child_id != child_id:
        raise Refusal("unknown_credit", "This credit is not known for this child.", {"child_id": child_id})
    if dates and (min(dates) < credit.valid_from or max(dates) > credit.valid_until):
        raise Refusal("credit_not_valid", "The credit is not valid on every booked date.",
                      {"credit_id": credit.credit_id, "valid_from": credit.valid_from.isoformat(),
                       "valid_until": credit.valid_until.isoformat()})
    if credit.care_types and care_type not in credit.care_types:
        raise Refusal("credit_care_type", "The credit cannot be used for this care type.",
                      {"credit_id": credit.credit_id, "care_type": care_type})
    if credit.usage_rule == "holiday_weeks" and not in_school_holiday:
        raise Refusal("credit_holidays_only", "The credit can only be used in school holidays.",
                      {"credit_id": credit.credit_id})
    if credit.usage_rule == "school_weeks" and in_school_holiday:
        raise Refusal("credit_school_weeks_only", "The credit cannot be used in school holidays.",
                      {"credit_id": credit.credit_id})
