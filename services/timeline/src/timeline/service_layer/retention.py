"""Retention: expired photos/videos per organisation (daily) and uploads never confirmed, from S3 and the database.

Objects are deleted before their rows: if the transaction then fails, the row still points at (now missing)
objects and the next pass deletes it again (deleting objects is idempotent); never the other way round, which
would leave unreachable objects in the bucket for ever.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from konnect_kit.media import MediaStore
from sqlalchemy import Column, Table, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from timeline.db.location import location_item_attachments, media_settings, observation_attachments, retention_runs
from timeline.db.photos import timeline_media
from timeline.domain.retention import retention_cutoff

BATCH = 100


@dataclass(frozen=True)
class RetainedMedia:
    """One table of media under the organisation's photo retention: each row names its objects' base key."""

    table: Table
    id_column: Column
    organisation_column: Column
    posted_column: Column
    base_column: Column


UNCONFIRMED: tuple[Table, ...] = (location_item_attachments, observation_attachments, timeline_media)


async def delete_unconfirmed(session: AsyncSession, store: MediaStore, now: datetime) -> int:
    """One batch of uploads whose deadline passed unconfirmed: their objects, then their rows."""
    deleted = 0
    for table in UNCONFIRMED:
        key = next(iter(table.primary_key.columns))
        rows = (await session.execute(select(key, table.c.media_base).where(
            table.c.status == "pending", table.c.upload_expires_at < now)
            .limit(BATCH).with_for_update(skip_locked=True))).all()
        for row in rows:
            await store.delete_prefix(row.media_base)
        if rows:
            await session.execute(delete(table).where(key.in_([row[0] for row in rows])))
        deleted += len(rows)
    return deleted


async def claim_day(session: AsyncSession, now: datetime) -> bool:
    """True for the one pass (across instances) that runs today's retention; a failed run is caught up the next
    day, as the cut-off is relative to then."""
    claimed = await session.scalar(insert(retention_runs).values(day=now.date(), started_at=now, deleted_media=0)
                                   .on_conflict_do_nothing().returning(retention_runs.c.day))
    return claimed is not None


async def organisations_with_retention(session: AsyncSession) -> list[tuple[UUID, int]]:
    rows = await session.execute(select(media_settings.c.organisation_id, media_settings.c.photo_retention_months)
                                 .where(media_settings.c.photo_retention_months.is_not(None)))
    return [(row.organisation_id, row.photo_retention_months) for row in rows]


async def delete_expired_batch(session: AsyncSession, store: MediaStore, target: RetainedMedia,
                               organisation_id: UUID, months: int, now: datetime) -> int:
    """One batch of one organisation's media posted before its cut-off; how many were deleted."""
    cutoff = retention_cutoff(now, months)
    if cutoff is None:
        return 0
    rows = (await session.execute(select(target.id_column, target.base_column).where(
        target.organisation_column == organisation_id, target.posted_column < cutoff)
        .limit(BATCH).with_for_update(skip_locked=True))).all()
    for row in rows:
        if row[1]:
            await store.delete_prefix(row[1])
    if rows:
        await session.execute(delete(target.table).where(target.id_column.in_([row[0] for row in rows])))
        await session.execute(retention_runs.update().where(retention_runs.c.day == now.date()).values(
            deleted_media=retention_runs.c.deleted_media + len(rows)))
    return len(rows)
