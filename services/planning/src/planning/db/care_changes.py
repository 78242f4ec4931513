"""Schedule change statements: care added (accepted requests) or taken away (absences, swaps) per day part."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from konnect_kit.db import insert_rows
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from planning.db.calendar import care_changes


async def add_care_changes(session: AsyncSession, changes: Sequence[dict[str, Any]]) -> None:
    """Rows of `care_changes` (+1 or -1 for one child, date and day part, with their source)."""
    await insert_rows(session, care_changes, changes)  # driver-level: an accepted request's, on the saga's path


async def withdraw_care_changes(session: AsyncSession, source_id: UUID) -> None:
    """The changes of this source (an absence) no longer count."""
    await session.execute(update(care_changes).where(care_changes.c.source_id == source_id).values(active=False))
