"""Ledger statements: credits with their running figures, and the reservation of each credit-paid request line."""

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from credits.db.models import credits, reservations


@dataclass(frozen=True)
class Credit:
    """One grant with its running figures, as stored."""

    credit_id: UUID
    organisation_id: UUID
    child_id: UUID
    family_id: UUID | None
    unit: str
    amount: Decimal
    valid_from: date
    valid_until: date
    usage_rule: str
    care_types: list[str]
    description: str | None
    external_id: str | None
    reserved: Decimal
    consumed: Decimal
    granted_at: datetime


@dataclass(frozen=True)
class Reservation:
    credit_id: UUID
    child_id: UUID
    amount: Decimal


CREDIT_COLUMNS = [credits.c[f.name] for f in fields(Credit)]
# A child's credits are listed ending soonest first; a credit's history is the lines that reserved it (failed
# attempts moved nothing), oldest first. Shared with the child's credits screen (db/credit_screen.py).
CHILD_CREDITS_ORDER = (credits.c.valid_until, credits.c.credit_id)
IN_HISTORY = reservations.c.status != "failed"
HISTORY_ORDER = (reservations.c.reserved_at, reservations.c.line_id)


def _credit(row: Any) -> Credit:
    return Credit(**row._mapping)


async def credit(session: AsyncSession, credit_id: UUID, organisation_id: UUID | None = None, *,
                 lock: bool = False) -> Credit | None:
    """The credit (of `organisation_id` only, when given: another tenant's is not found); `lock`: FOR UPDATE."""
    query = select(*CREDIT_COLUMNS).where(credits.c.credit_id == credit_id)
    if organisation_id is not None:
        query = query.where(credits.c.organisation_id == organisation_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    return _credit(row) if row else None


async def credits_of_child(session: AsyncSession, child_id: UUID, organisation_id: UUID | None) -> list[Credit]:
    """The child's credits (of one organisation, when given), ending soonest first."""
    query = select(*CREDIT_COLUMNS).where(credits.c.child_id == child_id)
    if organisation_id is not None:
        query = query.where(credits.c.organisation_id == organisation_id)
    return [_credit(row) for row in await session.execute(query.order_by(*CHILD_CREDITS_ORDER))]


async def save_grant(session: AsyncSession, credit_id: UUID, values: dict[str, Any]) -> bool:
    """Insert or update the grant; False when the id is another organisation's credit (nothing changes then)."""
    changes = {**values, "updated_at": func.now()}
    written = (await session.execute(insert(credits).values(credit_id=credit_id, **values).on_conflict_do_update(
        index_elements=[credits.c.credit_id], set_=changes,
        where=credits.c.organisation_id == values["organisation_id"],
    ).returning(credits.c.credit_id))).first()
    return written is not None


async def claim_reservation(session: AsyncSession, *, request_id: UUID, line_id: UUID, credit_id: UUID,
                            organisation_id: UUID, child_id: UUID, family_id: UUID, amount: Decimal | None,
                            reason_code: str | None) -> bool:
    """Record the outcome of reserving one line (reserved, or failed with `reason_code`); False if already there."""
    claimed = (await session.execute(
        insert(reservations).values(
            request_id=request_id, line_id=line_id, credit_id=credit_id, organisation_id=organisation_id,
            child_id=child_id, family_id=family_id, amount=amount,
            status="reserved" if reason_code is None else "failed", reason_code=reason_code,
        ).on_conflict_do_nothing().returning(reservations.c.line_id)
    )).first()
    return claimed is not None


async def set_figures(session: AsyncSession, credit_id: UUID, *, reserved: Decimal, consumed: Decimal) -> None:
    """Store a locked credit's new running figures (computed by `domain.ledger.Balance`); the CHECK guards them."""
    await session.execute(update(credits).where(credits.c.credit_id == credit_id)
                          .values(reserved=reserved, consumed=consumed))


def _line_key(organisation_id: UUID, request_id: UUID, line_id: UUID) -> Any:
    return and_(reservations.c.request_id == request_id, reservations.c.line_id == line_id,
                reservations.c.organisation_id == organisation_id)


async def reservation_status(session: AsyncSession, *, organisation_id: UUID, request_id: UUID,
                             line_id: UUID) -> tuple[UUID | None, str] | None:
    """(credit id, status) of the line's reservation, or None when there is none."""
    found = (await session.execute(select(reservations.c.credit_id, reservations.c.status)
                                   .where(_line_key(organisation_id, request_id, line_id)))).first()
    return (found.credit_id, found.status) if found else None


async def move_reservation(session: AsyncSession, *, organisation_id: UUID, request_id: UUID, line_id: UUID,
                           status: str, target: str, cause: str | None) -> Reservation | None:
    """Move the reservation from `status` to `target` (stamping when); None when it was no longer in `status`."""
    stamp = {"status": target, f"{target}_at": func.now(), **({} if cause is None else {"cause": cause})}
    moved = (await session.execute(
        update(reservations).where(_line_key(organisation_id, request_id, line_id), reservations.c.status == status)
        .values(**stamp).returning(reservations.c.credit_id, reservations.c.child_id, reservations.c.amount)
    )).first()
    return Reservation(moved.credit_id, moved.child_id, moved.amount) if moved else None


async def histories(session: AsyncSession, credit_ids: list[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    """Per credit, every line that reserved it and what became of that (failed attempts moved nothing)."""
    found: dict[UUID, list[dict[str, Any]]] = {credit_id: [] for credit_id in credit_ids}
    if not credit_ids:
        return found
    rows = (await session.execute(
        select(reservations).where(reservations.c.credit_id.in_(credit_ids), IN_HISTORY).order_by(*HISTORY_ORDER)
    )).mappings().all()
    for row in rows:
        found[row["credit_id"]].append(dict(row))
    return found
