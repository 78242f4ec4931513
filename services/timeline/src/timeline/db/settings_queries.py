"""Queries of per-organisation media settings and the photo-consent read model."""

from datetime import datetime
from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from sqlalchemy import Row, select
from sqlalchemy.dialects.postgresql import insert

from timeline.db.location import loc_children, media_settings
from timeline.db.photos import photo_consents


async def media_settings_of(session: Session, organisation_id: UUID) -> Row | None:
    return (await session.execute(select(media_settings).where(
        media_settings.c.organisation_id == organisation_id))).first()


async def put_media_settings(session: Session, organisation_id: UUID, values: dict[str, Any]) -> None:
    await session.execute(insert(media_settings).values(organisation_id=organisation_id, **values)
                          .on_conflict_do_update(index_elements=["organisation_id"], set_=values))


async def child_version(session: Session, child_id: UUID) -> int | None:
    return await session.scalar(select(loc_children.c.version).where(loc_children.c.child_id == child_id))


async def put_consent(session: Session, organisation_id: UUID, child_id: UUID, granted: bool, now: datetime) -> None:
    values = {"organisation_id": organisation_id, "granted": granted, "changed_at": now}
    await session.execute(insert(photo_consents).values(child_id=child_id, **values)
                          .on_conflict_do_update(index_elements=["child_id"], set_=values))
