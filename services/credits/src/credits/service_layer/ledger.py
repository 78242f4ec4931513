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
from konnect_kit.outbox import Outbox
from sqlalchemy import Row, and_, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from credits.db.models import credits, reservations
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
    settlement,
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


def rules_of(row: Row) -> CreditRules:
    return CreditRules(row.child_id, row.valid_from, row.valid_until, row.usage_rule, tuple(row.care_types))


def balance_of(row: Row) -> Balance:
    return Balance(row.amount, row.reserved, row.consumed)


async def lock_credit(session: AsyncSession, credit_id: UUID, organisation_id: UUID | None = None) -> Row | None:
    query = select(credits).where(credits.c.credit_id == credit_id)
    if organisation_id is not None:
        query = query.where(credits.c.organisation_id == organisation_id)  # another tenant's credit: not found
    return (await session.execute(query.with_for_update())).first()


async def reserve_line(session: AsyncSession, outbox: Outbox, line: CreditLine) -> EventPayload | None:
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
    claimed = (await session.execute(
        insert(reservations).values(
            request_id=line.request_id, line_id=line.line_id, credit_id=line.credit_id,
            organisation_id=line.organisation_id, child_id=line.child_id, family_id=line.family_id,
            amount=line.amount if reason is None else None,
            status="reserved" if reason is None else "failed", reason_code=reason,
        ).on_conflict_do_nothing().returning(reservations.c.line_id)
    )).first()
    if claimed is None:
        return None  # the first delivery decided this line; its outcome stands
    if reason is not None:
        event: EventPayload = CreditReservationFailed(
            organisation_id=line.organisation_id, child_id=line.child_id, request_id=line.request_id,
            line_id=line.line_id, credit_id=line.credit_id, reason_code=reason, reason=REASONS[reason])
    else:
        assert line.amount is not None and after is not None
        # The row is locked and the check above passed; the condition is a second guard next to the CHECK.
        remaining = (await session.execute(
            update(credits)
            .where(credits.c.credit_id == line.credit_id,
                   credits.c.amount - credits.c.reserved - credits.c.consumed >= line.amount)
            .values(reserved=credits.c.reserved + line.amount)
            .returning(credits.c.amount - credits.c.reserved - credits.c.consumed)
        )).scalar_one()
        event = CreditReserved(
            credit_id=line.credit_id, organisation_id=line.organisation_id, child_id=line.child_id,
            request_id=line.request_id, line_id=line.line_id, amount=plain(line.amount), remaining=plain(remaining))
    await outbox.publish(session, event, organisation_id=line.organisation_id)
    return event


async def settle_line(session: AsyncSession, outbox: Outbox, *, organisation_id: UUID, request_id: UUID,
                      line_id: UUID, cause: ReleaseCause | None) -> EventPayload | None:
    """Consume (cause None: the line was accepted) or release a reserved line; None when nothing was reserved.

    Guarded by the reservation's status: a consumed or released reservation never moves again, so a
    redelivered or replayed decision, expiry or cancellation changes nothing.
    """
    key = and_(reservations.c.request_id == request_id, reservations.c.line_id == line_id,
               reservations.c.organisation_id == organisation_id)
    found = (await session.execute(select(reservations.c.credit_id, reservations.c.status).where(key))).first()
    action: Settlement = "consume" if cause is None else "release"
    target = next_status(found.status, action) if found is not None else None
    if found is None or target is None:
        return None
    await lock_credit(session, found.credit_id)
    stamp = {"status": target, f"{target}_at": func.now(), **({} if cause is None else {"cause": cause})}
    moved = (await session.execute(
        update(reservations).where(key, reservations.c.status == found.status).values(**stamp)
        .returning(reservations.c.credit_id, reservations.c.child_id, reservations.c.amount)
    )).first()
    if moved is None:
        return None
    figures = {column: credits.c[column] + change for column, change in settlement(action, moved.amount).items()}
    await session.execute(update(credits).where(credits.c.credit_id == moved.credit_id).values(**figures))
    common = {"credit_id": moved.credit_id, "organisation_id": organisation_id, "child_id": moved.child_id,
              "request_id": request_id, "line_id": line_id, "amount": plain(moved.amount)}
    event: EventPayload = CreditConsumed(**common) if cause is None else CreditReleased(**common, cause=cause)
    await outbox.publish(session, event, organisation_id=organisation_id)
    return event
