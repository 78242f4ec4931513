"""Queries of the feeds besides the parents' one-statement page (`feed_read`): a child's page for staff, the names
and groups a page shows, and when an account last looked."""

from datetime import datetime
from uuid import UUID

from konnect_kit.db import Session
from sqlalchemy import Row, func, literal, select, tuple_, union_all
from sqlalchemy.dialects.postgresql import insert

from timeline.db.location import loc_children, loc_groups
from timeline.db.photos import diary_entries, feed_marks, photo_tags


async def child_page(session: Session, child_id: UUID, before: tuple[datetime, UUID] | None,
                     limit: int) -> list[Row]:
    """(kind, item_id, at) newest first: the series the child is tagged in and its diary entries (staff's view:
    no consent filter; families read theirs through `feed_read`)."""
    photo_items = (select(literal("photos").label("kind"), photo_tags.c.series_id.label("item_id"),
                          func.max(photo_tags.c.posted_at).label("at"))
                   .where(photo_tags.c.child_id == child_id).group_by(photo_tags.c.series_id))
    diary_items = select(literal("diary").label("kind"), diary_entries.c.entry_id.label("item_id"),
                         diary_entries.c.created_at.label("at")).where(diary_entries.c.child_id == child_id)
    items = union_all(photo_items, diary_items).subquery()
    query = select(items.c.kind, items.c.item_id, items.c.at)
    if before is not None:
        query = query.where(tuple_(items.c.at, items.c.item_id) < tuple_(literal(before[0]), literal(before[1])))
    return list((await session.execute(query.order_by(items.c.at.desc(), items.c.item_id.desc())
                                       .limit(limit))).all())


async def mark_seen(session: Session, account_id: str, now: datetime) -> None:
    await session.execute(insert(feed_marks).values(account_id=account_id, seen_at=now).on_conflict_do_update(
        index_elements=["account_id"], set_={"seen_at": now}))


async def group_names(session: Session, group_ids: set[UUID]) -> dict[UUID, str]:
    if not group_ids:
        return {}
    return dict((await session.execute(select(loc_groups.c.group_id, loc_groups.c.name).where(
        loc_groups.c.group_id.in_(group_ids)))).all())


async def child_names(session: Session, child_ids: set[UUID]) -> dict[UUID, str]:
    if not child_ids:
        return {}
    return dict((await session.execute(select(loc_children.c.child_id, loc_children.c.first_name).where(
        loc_children.c.child_id.in_(child_ids)))).all())
