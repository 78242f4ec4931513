"""Queries of the diary: entries, their media, and who they are about."""

from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from sqlalchemy import Row, select

from timeline.db.location import loc_children, loc_placements, loc_staff
from timeline.db.photos import diary_entries, diary_media, timeline_media


async def groups_of_child(session: Session, child_id: UUID) -> set[UUID]:
    """Every group the child has a (not deleted) placement in: the staff of those groups read its diary."""
    return set((await session.scalars(select(loc_placements.c.group_id).where(
        loc_placements.c.child_id == child_id, loc_placements.c.deleted.is_(False)))).all())


async def groups_of_children(session: Session, child_ids: list[UUID]) -> dict[UUID, set[UUID]]:
    found: dict[UUID, set[UUID]] = {child_id: set() for child_id in child_ids}
    if child_ids:
        for row in await session.execute(select(loc_placements.c.child_id, loc_placements.c.group_id).where(
                loc_placements.c.child_id.in_(child_ids), loc_placements.c.deleted.is_(False))):
            found[row.child_id].add(row.group_id)
    return found


async def staff_name(session: Session, staff_id: UUID) -> str | None:
    return await session.scalar(select(loc_staff.c.name).where(loc_staff.c.staff_id == staff_id))


async def insert_entry(session: Session, media_ids: list[UUID], **values: Any) -> None:
    await session.execute(diary_entries.insert().values(**values))
    if media_ids:
        await session.execute(diary_media.insert(), [
            {"entry_id": values["entry_id"], "media_id": media_id, "position": i}
            for i, media_id in enumerate(media_ids)])


async def entries(session: Session, entry_ids: list[UUID]) -> list[Row]:
    return list((await session.execute(select(diary_entries).where(diary_entries.c.entry_id.in_(entry_ids)))).all())


async def ready_media_of(session: Session, entry_ids: list[UUID]) -> dict[UUID, list[Row]]:
    """entry_id -> its processed photos/videos in order (families see media once processed)."""
    rows = (await session.execute(
        select(diary_media.c.entry_id, timeline_media).join(timeline_media,
                                                              timeline_media.c.media_id == diary_media.c.media_id)
        .where(diary_media.c.entry_id.in_(entry_ids), timeline_media.c.processing == "ready")
        .order_by(diary_media.c.entry_id, diary_media.c.position))).all()
    found: dict[UUID, list[Row]] = {}
    for row in rows:
        found.setdefault(row.entry_id, []).append(row)
    return found


async def child_name(session: Session, child_id: UUID) -> str | None:
    return await session.scalar(select(loc_children.c.first_name).where(loc_children.c.child_id == child_id))
