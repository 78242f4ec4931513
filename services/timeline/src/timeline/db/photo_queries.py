"""Queries of photo series, photos and their tags (the consent read model joined where a decision needs it)."""

from collections import defaultdict
from datetime import date, datetime
from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from sqlalchemy import Row, literal, select, tuple_

from timeline.db.location import loc_groups, loc_placements
from timeline.db.photos import photo_consents, photo_series, photo_tags, photos, timeline_media
from timeline.db.visibility import placements


async def group_of(session: Session, organisation_id: UUID | None, group_id: UUID) -> Row | None:
    return (await session.execute(select(loc_groups).where(
        loc_groups.c.group_id == group_id, loc_groups.c.organisation_id == organisation_id,
        loc_groups.c.deleted.is_(False)))).first()


async def children_in_group(session: Session, organisation_id: UUID, group_id: UUID, child_ids: set[UUID],
                            today: date) -> dict[UUID, Row]:
    """child_id -> (family_id, first_name, granted) of those of `child_ids` placed in the group today."""
    query = (placements(today, started=True, organisation_id=organisation_id, child_ids=list(child_ids),
                        group_id=group_id)
             .add_columns(photo_consents.c.granted)
             .outerjoin(photo_consents, photo_consents.c.child_id == loc_placements.c.child_id))
    return {row.child_id: row for row in (await session.execute(query)).all()}


async def insert_series(session: Session, **values: Any) -> None:
    await session.execute(photo_series.insert().values(**values))


async def insert_photo(session: Session, tags: list[dict[str, Any]], **values: Any) -> None:
    await session.execute(photos.insert().values(**values))
    await session.execute(photo_tags.insert(), tags)


async def photo_of_media(session: Session, media_id: UUID) -> Row | None:
    """The photo (with its series and media kind) that uses this upload, if any."""
    return (await session.execute(
        select(photos.c.photo_id, photo_series, timeline_media.c.kind)
        .join(photo_series, photo_series.c.series_id == photos.c.series_id)
        .join(timeline_media, timeline_media.c.media_id == photos.c.media_id)
        .where(photos.c.media_id == media_id))).first()


async def tagged_children(session: Session, photo_id: UUID) -> list[UUID]:
    return list((await session.scalars(select(photo_tags.c.child_id).where(photo_tags.c.photo_id == photo_id))).all())


async def tags_with_consent(session: Session, photo_ids: list[UUID]) -> dict[UUID, list[Row]]:
    """photo_id -> its tags (child_id, family_id, granted)."""
    rows = (await session.execute(
        select(photo_tags.c.photo_id, photo_tags.c.child_id, photo_tags.c.family_id, photo_consents.c.granted)
        .outerjoin(photo_consents, photo_consents.c.child_id == photo_tags.c.child_id)
        .where(photo_tags.c.photo_id.in_(photo_ids)))).all()
    found: dict[UUID, list[Row]] = defaultdict(list)
    for row in rows:
        found[row.photo_id].append(row)
    return found


async def series_many(session: Session, series_ids: list[UUID]) -> list[Row]:
    return list((await session.execute(select(photo_series).where(photo_series.c.series_id.in_(series_ids)))).all())


async def photos_of_series(session: Session, series_ids: list[UUID]) -> list[Row]:
    """The photos of these series in order, with their media's columns (base key, kind, size, processing)."""
    return list((await session.execute(
        select(photos, timeline_media.c.media_base, timeline_media.c.kind, timeline_media.c.original_type,
               timeline_media.c.width, timeline_media.c.height, timeline_media.c.duration_seconds,
               timeline_media.c.processing, timeline_media.c.failure_code)
        .join(timeline_media, timeline_media.c.media_id == photos.c.media_id)
        .where(photos.c.series_id.in_(series_ids))
        .order_by(photos.c.series_id, photos.c.position))).all())


async def series_of_photo(session: Session, photo_id: UUID) -> UUID | None:
    return await session.scalar(select(photos.c.series_id).where(photos.c.photo_id == photo_id))


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
