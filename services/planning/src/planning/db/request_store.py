"""Request statements: store a submitted request with its lines and timer, lock and read it, move its lines."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from konnect_kit.db import Row, all_columns, driver, insert_rows, update_row
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from planning.db.requests import credit_grants, request_lines, request_timers, requests

# A stored request or line: a read-only record read by attribute (`request.request_id`, `line.status`).
StoredRequest = Row
StoredLine = Row

_ALL_REQUEST = all_columns(requests)
_ALL_LINE = all_columns(request_lines)


async def lock_family(session: AsyncSession, family_id: UUID) -> None:
    """Serialise a family's submissions until commit (other families are not held up)."""
    await (await driver(session)).execute("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))",
                                          f"planning-family:{family_id}")


# The statements of a request's submission and evaluation run driver-level (konnect_kit.db.driver): they are the
# request saga's, where SQLAlchemy's execution machinery cost ~0.2 ms of CPU per statement (round 18).
_PENDING_OVERLAP = ("SELECT EXISTS (SELECT 1 FROM request_lines WHERE child_id = $1::uuid AND status = 'pending' "
                    "AND dates && $2::date[] AND day_part_ids && $3::uuid[])")
_PENDING_GIVE_UP_OVERLAP = ("SELECT EXISTS (SELECT 1 FROM request_lines WHERE child_id = $1::uuid "
                            "AND status = 'pending' AND give_up_date = ANY($2::date[]) "
                            "AND give_up_day_part_ids && $3::uuid[])")


async def pending_overlap(session: AsyncSession, child_id: UUID, dates: list[date], parts: list[UUID],
                          *, give_up: bool) -> bool:
    """A pending line already asks for (or, `give_up`, gives up) one of these day parts on one of these dates."""
    statement = _PENDING_GIVE_UP_OVERLAP if give_up else _PENDING_OVERLAP
    return bool(await (await driver(session)).fetchval(statement, child_id, dates, parts))


async def credit_grant(session: AsyncSession, credit_id: UUID) -> Row | None:
    """The credit as credits last announced it (CreditGranted read model), or None."""
    return (await session.execute(select(credit_grants).where(credit_grants.c.credit_id == credit_id))).first()


async def store_request(session: AsyncSession, request: dict[str, Any], lines: Sequence[dict[str, Any]],
                        fire_at: datetime) -> tuple[StoredRequest, list[StoredLine]]:
    """The request, its lines (each a row of `request_lines`) and its expiry timer, in one go; the request and its
    lines (by position) as stored (RETURNING: the answer to the POST needs no second read)."""
    (stored,) = await insert_rows(session, requests, [request], returning=True)
    rows = await insert_rows(session, request_lines, lines, returning=True)
    await insert_rows(session, request_timers, [{"request_id": request["request_id"], "fire_at": fire_at}])
    return stored, sorted(rows, key=lambda row: row.position)


_LOCK_REQUEST = f"SELECT {_ALL_REQUEST} FROM requests WHERE request_id = $1::uuid FOR UPDATE"
_LOCK_ORGANISATION_REQUEST = (f"SELECT {_ALL_REQUEST} FROM requests WHERE request_id = $1::uuid "
                              "AND organisation_id = $2::uuid FOR UPDATE")
_LINES_OF = f"SELECT {_ALL_LINE} FROM request_lines WHERE request_id = $1::uuid ORDER BY position"


async def lock_request(session: AsyncSession, request_id: UUID,
                       organisation_id: UUID | None = None) -> StoredRequest | None:
    """The request, locked; with `organisation_id` only that organisation's (another tenant's is not found)."""
    connection = await driver(session)
    if organisation_id is None:
        return await connection.fetchrow(_LOCK_REQUEST, request_id, record_class=Row)
    return await connection.fetchrow(_LOCK_ORGANISATION_REQUEST, request_id, organisation_id, record_class=Row)


async def lines_of(session: AsyncSession, request_id: UUID) -> list[StoredLine]:
    return await (await driver(session)).fetch(_LINES_OF, request_id, record_class=Row)


async def line_of(session: AsyncSession, request_id: UUID, line_id: UUID) -> StoredLine | None:
    return (await session.execute(select(request_lines).where(
        request_lines.c.line_id == line_id, request_lines.c.request_id == request_id))).first()


async def update_line(session: AsyncSession, line_id: UUID, **values: Any) -> StoredLine:
    """Store a line's new status, evaluation or reservation answer (the service layer decided which); the line as
    it is now (RETURNING: a caller that settles next needs no second read)."""
    line = await update_row(session, request_lines, "line_id", line_id, **values)
    if line is None:
        raise LookupError(f"no request line {line_id}")
    return line


async def close_lines(session: AsyncSession, line_ids: list[UUID], *, status: str, reason: str,
                      now: datetime) -> None:
    """Several lines withdrawn at once (cancelled, expired)."""
    await session.execute(update(request_lines).where(request_lines.c.line_id.in_(line_ids)).values(
        status=status, reason=reason, decided_at=now))


async def mark_decided(session: AsyncSession, request_id: UUID, now: datetime) -> None:
    """The request is decided: the guard against a second RequestDecided, and nothing is left to expire."""
    # One statement (the timer's update as a CTE): it runs on the request saga's path.
    await (await driver(session)).execute(_MARK_DECIDED, request_id, now)


_MARK_DECIDED = ("WITH timer AS (UPDATE request_timers SET fired_at = $2::timestamptz WHERE request_id = $1::uuid "
                 "AND fired_at IS NULL RETURNING request_id) "
                 "UPDATE requests SET decided_at = $2::timestamptz WHERE request_id = $1::uuid")
