"""Credit arithmetic and rules: balances, states, whether a credit fits a booking, reservation transitions."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

CreditState = Literal["active", "expired", "used_up", "not_yet_valid"]
ReservationStatus = Literal["reserved", "consumed", "released", "failed"]
ReleaseCause = Literal["rejected", "expired", "cancelled"]
Settlement = Literal["consume", "release"]

ZERO = Decimal(0)


def plain(amount: Decimal) -> Decimal:
    """Without trailing zeros or an exponent (1.0 → 1, 2.50 → 2.5): amounts travel as decimal strings."""
    return amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount.normalize()


@dataclass(frozen=True)
class Balance:
    """The running figures of one credit; `usable` is what a new booking may still take."""

    granted: Decimal
    reserved: Decimal = ZERO
    consumed: Decimal = ZERO

    @property
    def usable(self) -> Decimal:
        return self.granted - self.reserved - self.consumed

    @property
    def used(self) -> Decimal:
        """What the grant can no longer give back: a changed grant may not go below this."""
        return self.reserved + self.consumed

    def reserve(self, amount: Decimal) -> "Balance | None":
        """None when the credit does not cover the whole amount: no split payment, never below zero."""
        if amount <= ZERO or amount > self.usable:
            return None
        return Balance(self.granted, self.reserved + amount, self.consumed)

    def consume(self, amount: Decimal) -> "Balance":
        """A reserved amount becomes spent (the line was accepted)."""
        return self._settle("consume", amount)

    def release(self, amount: Decimal) -> "Balance":
        """A reserved amount becomes usable again (rejected, expired, cancelled)."""
        return self._settle("release", amount)

    def _settle(self, action: Settlement, amount: Decimal) -> "Balance":
        if amount <= ZERO or amount > self.reserved:
            raise ValueError(f"only a reserved amount can be {action}d")
        moves = settlement(action, amount)
        return Balance(self.granted, self.reserved + moves.get("reserved", ZERO),
                       self.consumed + moves.get("consumed", ZERO))



def settlement(action: Settlement, amount: Decimal) -> dict[str, Decimal]:
    """How settling a reservation of `amount` moves the credit's figures (column → change).

    `Balance.consume` / `Balance.release` apply it; the ledger (`service_layer.ledger.settle_line`) stores
    the figures they compute, so the arithmetic tested on `Balance` is the arithmetic production runs.
    """
    if action == "consume":
        return {"reserved": -amount, "consumed": amount}
    return {"reserved": -amount}


def credit_state(balance: Balance, valid_from: date, valid_until: date, today: date) -> CreditState:
    """A credit with nothing usable left is used up even after its end date: it was spent, not lost."""
    if balance.usable <= ZERO:
        return "used_up"
    if today > valid_until:
        return "expired"
    if today < valid_from:
        return "not_yet_valid"
    return "active"


@dataclass(frozen=True)
class CreditRules:
    """What a credit allows, independent of how much is left."""

    child_id: object
    valid_from: date
    valid_until: date
    usage_rule: Literal["any_day", "holiday_weeks", "school_weeks"]
    care_types: tuple[str, ...]


@dataclass(frozen=True)
class Booking:
    """What a request line asks of a credit."""

    child_id: object
    starts_on: date
    ends_on: date
    care_type: str | None
    in_school_holiday: bool | None


REASONS = {
    "credit_not_found": "The chosen credit does not exist.",
    "wrong_child": "The chosen credit belongs to another child.",
    "not_valid_on_date": "The chosen credit is not valid on every date of this booking.",
    "care_type_not_allowed": "The chosen credit cannot be used for this care type.",
    "insufficient_balance": "The chosen credit does not have enough left for this booking.",
    "invalid_amount": "The booking does not state a positive amount to pay with the credit.",
}


def rule_fits(usage_rule: str, in_school_holiday: bool | None) -> bool:
    """Holiday- and school-week credits need to know which one the booking is; unknown never fits them."""
    if usage_rule == "holiday_weeks":
        return in_school_holiday is True
    if usage_rule == "school_weeks":
        return in_school_holiday is False
    return True


def refusal(rules: CreditRules | None, booking: Booking) -> str | None:
    """The reason code why the credit cannot pay this booking whatever its balance, or None if it may."""
    if rules is None:
        return "credit_not_found"
    if rules.child_id != booking.child_id:
        return "wrong_child"  # credits are child-bound and never transferable
    if booking.starts_on < rules.valid_from or booking.ends_on > rules.valid_until:
        return "not_valid_on_date"
    if not rule_fits(rules.usage_rule, booking.in_school_holiday):
        return "not_valid_on_date"
    if rules.care_types and booking.care_type not in rules.care_types:
        return "care_type_not_allowed"
    return None


# Which event moves a reservation where; anything else (a replay, a late duplicate) changes nothing.
TRANSITIONS: dict[tuple[ReservationStatus, str], ReservationStatus] = {
    ("reserved", "consume"): "consumed",
    ("reserved", "release"): "released",
}


def next_status(status: ReservationStatus, action: Settlement) -> ReservationStatus | None:
    return TRANSITIONS.get((status, action))
