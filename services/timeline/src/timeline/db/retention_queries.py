"""Retention queries: batches of unconfirmed uploads and of media past an organisation's cut-off, and their rows'
deletion; the daily run's claim and counter."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Column, Table, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from timeline.db.location import location_item_attachments, media_settings, observation_attachments, retention_runs
from timeline.db.photos import timeline_media

BATCH = 100


@dataclass(frozen=True)
class RetainedMedia:
    """One table of media under the organisation's photo retention: each row names its objects' base key."""

    table: Table
    id_column: Column
    organisation_column: Column
    posted_column: Column
    base_column: Column


@dataclass(frozen=True)
class MediaRow:
    """A row to delete and the base key of its objects (None: it has none)."""

    row_id: Any
    media_base: str | None


UNCONFIRMED: tuple[Table, ...] = (location_item_attachments, observation_attachments, timeline_media)


def _key(table: Table) -> Column:
    return next(iter(table.primary_key.columns))


async def unconfirmed_batch(session: AsyncSession, table: Table, now: datetime) -> list[MediaRow]:
    """Uploads of `table` whose deadline passed unconfirmed, locked (other instances skip them)."""
    rows = await session.execute(select(_key(table), table.c.media_base).where(
        table.c.status == "pending", table.c.upload_expires_at < now).limit(BATCH).with_for_update(skip_locked=True))
    return [MediaRow(row[0], row[1]) for row in rows]


async def delete_unconfirmed_rows(session: AsyncSession, table: Table, rows: list[MediaRow]) -> None:
    await session.execute(delete(table).where(_key(table).in_([row.row_id for row in rows])))


async def claim_day(session: AsyncSession, now: datetime) -> bool:
    """True for the one pass (across instances) that runs today's retention."""
    claimed = await session.scalar(insert(retention_runs).values(day=now.date(), started_at=now, deleted_media=0)
                                   .on_conflict_do_nothing().returning(retention_runs.c.day))
    return claimed is not None


async def organisations_with_retention(session: AsyncSession) -> list[tuple[UUID, int]]:
    rows = await session.execute(select(media_settings.c.organisation_id, media_settings.c.photo_retention_months)
                                 .where(media_settings.c.photo_retention_months.is_not(None)))
    return [(row.organisation_id, row.photo_retention_months) for row in rows]


async def expired_batch(session: AsyncSession, target: RetainedMedia, organisation_id: UUID,
                        cutoff: datetime) -> list[MediaRow]:
    """One organisation's media posted before `cutoff`, locked (other instances skip them)."""
    rows = await session.execute(select(target.id_column, target.base_column).where(
        target.organisation_column == organisation_id, target.posted_column < cutoff)
        .limit(BATCH).with_for_update(skip_locked=True))
    return [MediaRow(row[0], row[1]) for row in rows]


async def delete_expired_rows(session: AsyncSession, target: RetainedMedia, rows: list[MediaRow],
                              now: datetime) -> None:
    """Deletes the rows and counts them on today's run."""
    await session.execute(delete(target.table).where(target.id_column.in_([row.row_id for row in rows])))
    await session.execute(retention_runs.update().where(retention_runs.c.day == now.date()).values(
        deleted_media=retention_runs.c.deleted_media + len(rows)))
