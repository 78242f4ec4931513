"""Absence statements: store a reported absence, lock one, mark it cancelled."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from planning.db.requests import absences

# A stored absence: a read-only record read by attribute (`absence.status`).
StoredAbsence = Row


async def store_absence(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(insert(absences).values(**values))


async def lock_absence(session: AsyncSession, absence_id: UUID) -> StoredAbsence | None:
    return (await session.execute(select(absences).where(absences.c.absence_id == absence_id)
                                  .with_for_update())).first()


async def mark_cancelled(session: AsyncSession, absence_id: UUID, now: datetime) -> None:
    await session.execute(update(absences).where(absences.c.absence_id == absence_id)
                          .values(status="cancelled", cancelled_at=now))
