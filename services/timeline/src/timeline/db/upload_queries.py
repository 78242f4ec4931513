"""Queries of timeline uploads (`timeline_media`): started, confirmed, processed, attached."""

from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from sqlalchemy import Row, select, update

from timeline.db.photos import timeline_media


async def insert_upload(session: Session, **values: Any) -> None:
    await session.execute(timeline_media.insert().values(**values))


async def upload(session: Session, media_id: UUID) -> Row | None:
    return (await session.execute(select(timeline_media).where(timeline_media.c.media_id == media_id))).first()


async def own_upload(session: Session, media_id: UUID, actor_id: str, organisation_id: UUID | None, *,
                     lock: bool = False) -> Row | None:
    query = select(timeline_media).where(timeline_media.c.media_id == media_id,
                                         timeline_media.c.uploaded_by == actor_id,
                                         timeline_media.c.organisation_id == organisation_id)
    return (await session.execute(query.with_for_update() if lock else query)).first()


async def lock_status(session: Session, media_id: UUID) -> str | None:
    """The upload's attach status (`pending` | `attached`) under a row lock; None when it is gone."""
    return await session.scalar(select(timeline_media.c.status).where(timeline_media.c.media_id == media_id)
                                .with_for_update())


async def change(session: Session, media_id: UUID, values: dict[str, Any]) -> None:
    await session.execute(update(timeline_media).where(timeline_media.c.media_id == media_id).values(**values))


async def mark_attached(session: Session, media_ids: list[UUID]) -> None:
    await session.execute(update(timeline_media).where(timeline_media.c.media_id.in_(media_ids))
                          .values(status="attached"))
