"""Retention: expired photos/videos per organisation (daily) and uploads never confirmed, from S3 and the database.

Objects are deleted before their rows: if the transaction then fails, the row still points at (now missing)
objects and the next pass deletes it again (deleting objects is idempotent); never the other way round, which
would leave unreachable objects in the bucket for ever.
"""

from datetime import datetime
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.media import MediaStore

from timeline.db import retention_queries as queries
from timeline.db.retention_queries import UNCONFIRMED, MediaRow, RetainedMedia
from timeline.domain.retention import retention_cutoff

__all__ = ["RetainedMedia", "claim_day", "delete_expired_batch", "delete_unconfirmed", "organisations_with_retention"]

claim_day = queries.claim_day
organisations_with_retention = queries.organisations_with_retention


async def _delete_objects(store: MediaStore, rows: list[MediaRow]) -> None:
    for row in rows:
        if row.media_base:
            await store.delete_prefix(row.media_base)


async def delete_unconfirmed(session: Session, store: MediaStore, now: datetime) -> int:
    """One batch of uploads whose deadline passed unconfirmed: their objects, then their rows."""
    deleted = 0
    for table in UNCONFIRMED:
        rows = await queries.unconfirmed_batch(session, table, now)
        await _delete_objects(store, rows)
        if rows:
            await queries.delete_unconfirmed_rows(session, table, rows)
        deleted += len(rows)
    return deleted


async def delete_expired_batch(session: Session, store: MediaStore, target: RetainedMedia,
                               organisation_id: UUID, months: int, now: datetime) -> int:
    """One batch of one organisation's media posted before its cut-off: objects, then rows; how many."""
    cutoff = retention_cutoff(now, months)
    if cutoff is None:
        return 0
    rows = await queries.expired_batch(session, target, organisation_id, cutoff)
    await _delete_objects(store, rows)
    if rows:
        await queries.delete_expired_rows(session, target, rows, now)
    return len(rows)
