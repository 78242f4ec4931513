"""Read-path queries of the request overview and the evaluation queue: requests with their lines, absences."""

from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from planning.db.requests import absences, request_lines, requests


async def _lines_of(session: AsyncSession, rows: list[Row]) -> dict[UUID, list[Row]]:
    lines: dict[UUID, list[Row]] = {r.request_id: [] for r in rows}
    if rows:
        for line in await session.execute(select(request_lines).where(request_lines.c.request_id.in_(list(lines)))
                                          .order_by(request_lines.c.position)):
            lines[line.request_id].append(line)
    return lines


async def family_requests(session: AsyncSession, family_id: UUID) -> tuple[list[Row], dict[UUID, list[Row]]]:
    """The family's requests, newest first, and each one's lines in order."""
    rows = list(await session.execute(select(requests).where(requests.c.family_id == family_id)
                                      .order_by(requests.c.submitted_at.desc(), requests.c.request_id)))
    return rows, await _lines_of(session, rows)


async def family_absences(session: AsyncSession, family_id: UUID) -> list[Row]:
    return list(await session.execute(select(absences).where(absences.c.family_id == family_id)
                                      .order_by(absences.c.starts_on.desc(), absences.c.absence_id)))


async def waiting_requests(session: AsyncSession, organisation_id: UUID, limit: int
                           ) -> tuple[list[Row], dict[UUID, list[Row]]]:
    """Requests of the organisation with a line still waiting for an evaluation, oldest first, with their lines."""
    waiting = (select(request_lines.c.request_id)
               .where(request_lines.c.status == "pending", request_lines.c.evaluation_outcome.is_(None))
               .distinct().scalar_subquery())
    rows = list(await session.execute(
        select(requests).where(requests.c.organisation_id == organisation_id, requests.c.request_id.in_(waiting))
        .order_by(requests.c.submitted_at, requests.c.request_id).limit(limit)))
    return rows, await _lines_of(session, rows)


async def request_by_id(session: AsyncSession, request_id: UUID, organisation_id: UUID | None) -> Row | None:
    """The request, inside `organisation_id` when given (a tenant bound)."""
    query = select(requests).where(requests.c.request_id == request_id)
    if organisation_id is not None:
        query = query.where(requests.c.organisation_id == organisation_id)
    return (await session.execute(query)).first()
