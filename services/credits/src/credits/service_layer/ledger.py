"""The saga's ledger moves: reserve a line atomically, consume or release its reservation exactly once.

Every move locks the credit row first (SELECT ... FOR UPDATE), then touches the reservation row: one lock
order everywhere, so concurrent transactions on one credit queue up instead of deadlocking, and each
sees the balance the previous one committed.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from konnect_contracts.envelope import EventPayload
from konnect_contracts.events.credits import (
    CreditConsumed,
    CreditReleased,
    CreditReservationFailed,
    CreditReserved,
)
from konnect_kit.db import Session
from konnect_kit.outbox import Outbox

from credits.db import ledger as db
from credits.db.ledger import Credit
from credits.domain.ledger import (
    REASONS,
    Balance,
    Booking,
    CreditRules,
    ReleaseCause,
    Settlement,
    next_status,
    plain,
    refusal,
)


@dataclass(frozen=True)
class CreditLine:
    """One request line paid by a credit, as the saga needs it."""

    request_id: UUID
    line_id: UUID
    organisation_id: UUID
    family_id: UUID
    child_id: UUID
    credit_id: UUID
    amount: Decimal | None
    starts_on: date
    ends_on: date
    care_type: str | None
    in_school_holiday: bool | None


def rules_of(credit: Credit) -> CreditRules:
    return CreditRules(credit.child_id, credit.valid_from, credit.valid_until, credit.usage_rule,  # type: ignore[arg-type]
                       tuple(credit.care_types))


def balance_of(credit: Credit) -> Balance:
    return Balance(credit.amount, credit.reserved, credit.consumed)


async def lock_credit(session: Session, credit_id: UUID, organisation_id: UUID | None = None) -> Credit | None:
    """The credit, locked until commit (another tenant's credit: not found)."""
    return await db.credit(session, credit_id, organisation_id, lock=True)


async def reserve_line(session: Session, outbox: Outbox, line: CreditLine) -> EventPayload | None:
    """Reserve the line's amount or record why not; None when this line was already handled (a replay)."""
    credit = await lock_credit(session, line.credit_id, line.organisation_id)
    reason = refusal(rules_of(credit) if credit else None,
                     Booking(line.child_id, line.starts_on, line.ends_on, line.care_type, line.in_school_holiday))
    if reason is None and (line.amount is None or line.amount <= 0):
        reason = "invalid_amount"
    after = None
    if reason is None:
        assert credit is not None and line.amount is not None
        after = balance_of(credit).reserve(line.amount)
        if after is None:
            reason = "insufficient_balance"
    claimed = await db.claim_reservation(
        session, request_id=line.request_id, line_id=line.line_id, credit_id=line.credit_id,
        organisation_id=line.organisation_id, child_id=line.child_id, family_id=line.family_id,
        amount=line.amount if reason is None else None, reason_code=reason)
    if not claimed:
        return None  # the first delivery decided this line; its outcome stands
    if reason is not None:
        event: EventPayload = CreditReservationFailed(
            organisation_id=line.organisation_id, child_id=line.child_id, request_id=line.request_id,
            line_id=line.line_id, credit_id=line.credit_id, reason_code=reason, reason=REASONS[reason])
    else:
        assert line.amount is not None and after is not None
        # The credit row is locked since the balance was read: the figures `Balance.reserve` computed are
        # the ones to store (the table's CHECK still refuses anything below zero).
        await db.set_figures(session, line.credit_id, reserved=after.reserved, consumed=after.consumed)
        event = CreditReserved(
            credit_id=line.credit_id, organisation_id=line.organisation_id, child_id=line.child_id,
            request_id=line.request_id, line_id=line.line_id, amount=plain(line.amount),
            remaining=plain(after.usable))
    await outbox.publish(session, event, organisation_id=line.organisation_id)
    return event


async def settle_line(session: Session, outbox: Outbox, *, organisation_id: UUID, request_id: UUID,
                      line_id: UUID, cause: ReleaseCause | None) -> EventPayload | None:
    """Consume (cause None: the line was accepted) or release a reserved line; None when nothing was reserved.

    Guarded by the reservation's status: a consumed or released reservation never moves again, so a
    redelivered or replayed decision, expiry or cancellation changes nothing.
    """
    found = await db.reservation_status(session, organisation_id=organisation_id, request_id=request_id,
                                        line_id=line_id)
    action: Settlement = "consume" if cause is None else "release"
    target = next_status(found[1], action) if found is not None else None  # type: ignore[arg-type]
    if found is None or target is None:
        return None
    credit_id, status = found
    assert credit_id is not None  # a reserved line always names its credit (table CHECK)
    credit = await lock_credit(session, credit_id)
    if credit is None:
        return None
    moved = await db.move_reservation(session, organisation_id=organisation_id, request_id=request_id,
                                      line_id=line_id, status=status, target=target, cause=cause)
    if moved is None:
        return None
    balance = balance_of(credit)
    after = balance.consume(moved.amount) if cause is None else balance.release(moved.amount)
    await db.set_figures(session, moved.credit_id, reserved=after.reserved, consumed=after.consumed)
    common = {"credit_id": moved.credit_id, "organisation_id": organisation_id, "child_id": moved.child_id,
              "request_id": request_id, "line_id": line_id, "amount": plain(moved.amount)}
    event: EventPayload = CreditConsumed(**common) if cause is None else CreditReleased(**common, cause=cause)
    await outbox.publish(session, event, organisation_id=organisation_id)
    return event
