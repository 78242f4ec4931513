"""Queries of photo series: a group's series page by page (keyset on posted time and id)."""

from datetime import datetime
from uuid import UUID

from konnect_kit.db import Session
from sqlalchemy import literal, select, tuple_

from timeline.db.photos import photo_series


async def group_series_ids(session: Session, organisation_id: UUID, group_id: UUID,
                           before: tuple[datetime, UUID] | None, limit: int) -> list[tuple[UUID, datetime]]:
    """(series_id, posted_at) of the group's series, newest first, older than `before`; `limit` of them."""
    query = select(photo_series.c.series_id, photo_series.c.posted_at).where(
        photo_series.c.organisation_id == organisation_id, photo_series.c.group_id == group_id)
    if before is not None:
        query = query.where(tuple_(photo_series.c.posted_at, photo_series.c.series_id)
                            < tuple_(literal(before[0]), literal(before[1])))
    rows = await session.execute(query.order_by(photo_series.c.posted_at.desc(), photo_series.c.series_id.desc())
                                 .limit(limit))
    return [(row.series_id, row.posted_at) for row in rows]
