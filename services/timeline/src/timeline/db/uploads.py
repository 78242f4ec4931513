"""Queries of timeline uploads (`timeline_media`) for the processing step."""

from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from sqlalchemy import Row, select, update

from timeline.db.photos import timeline_media


async def upload(session: Session, media_id: UUID) -> Row | None:
    return (await session.execute(select(timeline_media).where(timeline_media.c.media_id == media_id))).first()


async def lock_status(session: Session, media_id: UUID) -> str | None:
    """The upload's attach status (`pending` | `attached`) under a row lock; None when it is gone."""
    return await session.scalar(select(timeline_media.c.status).where(timeline_media.c.media_id == media_id)
                                .with_for_update())


async def record_processing(session: Session, media_id: UUID, values: dict[str, Any]) -> None:
    await session.execute(update(timeline_media).where(timeline_media.c.media_id == media_id).values(**values))
