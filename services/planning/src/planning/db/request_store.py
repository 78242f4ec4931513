"""Request statements: store a submitted request with its lines and timer, lock and read it, move its lines."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, and_, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from planning.db.requests import credit_grants, request_lines, request_timers, requests

# A stored request or line: a read-only record read by attribute (`request.request_id`, `line.status`).
StoredRequest = Row
StoredLine = Row


async def lock_family(session: AsyncSession, family_id: UUID) -> None:
    """Serialise a family's submissions until commit (other families are not held up)."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                          {"key": f"planning-family:{family_id}"})


async def pending_overlap(session: AsyncSession, child_id: UUID, dates: list[date], parts: list[UUID],
                          *, give_up: bool) -> bool:
    """A pending line already asks for (or, `give_up`, gives up) one of these day parts on one of these dates."""
    lines = request_lines.c
    if give_up:
        overlap = and_(lines.give_up_date.in_(dates), lines.give_up_day_part_ids.overlap(parts))
    else:
        overlap = and_(lines.dates.overlap(dates), lines.day_part_ids.overlap(parts))
    count = await session.scalar(select(func.count()).select_from(request_lines).where(
        lines.child_id == child_id, lines.status == "pending", overlap))
    return bool(count)


async def credit_grant(session: AsyncSession, credit_id: UUID) -> Row | None:
    """The credit as credits last announced it (CreditGranted read model), or None."""
    return (await session.execute(select(credit_grants).where(credit_grants.c.credit_id == credit_id))).first()


async def store_request(session: AsyncSession, request: dict[str, Any], lines: Sequence[dict[str, Any]],
                        fire_at: datetime) -> tuple[StoredRequest, list[StoredLine]]:
    """The request, its lines (each a row of `request_lines`) and its expiry timer, in one go; the request and its
    lines (by position) as stored (RETURNING: the answer to the POST needs no second read)."""
    stored = (await session.execute(insert(requests).values(**request).returning(*requests.c))).one()
    rows = (await session.execute(insert(request_lines).returning(*request_lines.c, sort_by_parameter_order=True),
                                  list(lines))).all()
    await session.execute(insert(request_timers).values(request_id=request["request_id"], fire_at=fire_at))
    return stored, sorted(rows, key=lambda row: row.position)


async def lock_request(session: AsyncSession, request_id: UUID,
                       organisation_id: UUID | None = None) -> StoredRequest | None:
    """The request, locked; with `organisation_id` only that organisation's (another tenant's is not found)."""
    query = select(requests).where(requests.c.request_id == request_id)
    if organisation_id is not None:
        query = query.where(requests.c.organisation_id == organisation_id)
    return (await session.execute(query.with_for_update())).first()


async def lines_of(session: AsyncSession, request_id: UUID) -> list[StoredLine]:
    return list(await session.execute(select(request_lines).where(request_lines.c.request_id == request_id)
                                      .order_by(request_lines.c.position)))


async def line_of(session: AsyncSession, request_id: UUID, line_id: UUID) -> StoredLine | None:
    return (await session.execute(select(request_lines).where(
        request_lines.c.line_id == line_id, request_lines.c.request_id == request_id))).first()


async def update_line(session: AsyncSession, line_id: UUID, **values: Any) -> StoredLine:
    """Store a line's new status, evaluation or reservation answer (the service layer decided which); the line as
    it is now (RETURNING: a caller that settles next needs no second read)."""
    return (await session.execute(update(request_lines).where(request_lines.c.line_id == line_id).values(**values)
                                  .returning(*request_lines.c))).one()


async def close_lines(session: AsyncSession, line_ids: list[UUID], *, status: str, reason: str,
                      now: datetime) -> None:
    """Several lines withdrawn at once (cancelled, expired)."""
    await session.execute(update(request_lines).where(request_lines.c.line_id.in_(line_ids)).values(
        status=status, reason=reason, decided_at=now))


async def mark_decided(session: AsyncSession, request_id: UUID, now: datetime) -> None:
    """The request is decided: the guard against a second RequestDecided, and nothing is left to expire."""
    # One statement (the timer's update as a CTE): it runs on the request saga's path.
    timer = (update(request_timers).where(request_timers.c.request_id == request_id,
                                          request_timers.c.fired_at.is_(None)).values(fired_at=now)
             .returning(request_timers.c.request_id).cte("timer"))
    await session.execute(update(requests).where(requests.c.request_id == request_id).values(decided_at=now)
                          .add_cte(timer))
