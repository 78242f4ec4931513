"""The photo-sharing consent read model: written from identity's events, read when deciding who sees a photo."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from timeline.db.location import loc_children
from timeline.db.photos import photo_consents


async def record_consent(session: AsyncSession, organisation_id: UUID, child_id: UUID, granted: bool,
                         now: datetime, *, version: int | None = None) -> None:
    if version is not None:
        # A ChildUpserted older than the child record we hold (a late duplicate) must not undo a newer answer.
        held = await session.scalar(select(loc_children.c.version).where(loc_children.c.child_id == child_id))
        if held is not None and held > version:
            return
    values = {"organisation_id": organisation_id, "granted": granted, "changed_at": now}
    await session.execute(insert(photo_consents).values(child_id=child_id, **values)
                          .on_conflict_do_update(index_elements=["child_id"], set_=values))
