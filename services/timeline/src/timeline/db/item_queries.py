"""Queries of My location's items (news, newsletters, info pages) and their attachments."""

from datetime import datetime
from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from sqlalchemy import Row, and_, false, or_, select, tuple_, update

from timeline.db.location import loc_groups, loc_locations, location_item_attachments, location_items


async def location_ids_of_organisation(session: Session, organisation_id: UUID) -> list[UUID]:
    return sorted(await session.scalars(select(loc_locations.c.location_id).where(
        loc_locations.c.organisation_id == organisation_id, loc_locations.c.deleted.is_(False))), key=str)


async def location_of(session: Session, audience: str, audience_id: UUID, organisation_id: UUID) -> UUID | None:
    """The location a location or group audience lies in (None when it is not one of the organisation's)."""
    table, key = (loc_locations, loc_locations.c.location_id) if audience == "location" \
        else (loc_groups, loc_groups.c.group_id)
    return await session.scalar(select(table.c.location_id).where(
        key == audience_id, table.c.organisation_id == organisation_id, table.c.deleted.is_(False)))


async def insert_item(session: Session, **values: Any) -> Row:
    return (await session.execute(location_items.insert().values(**values).returning(*location_items.c))).one()


async def item(session: Session, item_id: UUID, organisation_id: UUID | None, *, lock: bool = False) -> Row | None:
    query = select(location_items).where(location_items.c.item_id == item_id)
    if organisation_id is not None:
        query = query.where(location_items.c.organisation_id == organisation_id)
    return (await session.execute(query.with_for_update() if lock else query)).first()


async def change_item(session: Session, item_id: UUID, **values: Any) -> Row:
    return (await session.execute(update(location_items).where(location_items.c.item_id == item_id).values(**values)
                                  .returning(*location_items.c))).one()


def _readable(organisation_id: UUID | None, audiences: list[tuple[str, UUID]] | None) -> Any:
    """Published items of the organisation; `audiences` (a parent's) narrows them to those addressed."""
    clauses = [location_items.c.status == "published"]
    if organisation_id is not None:
        clauses.append(location_items.c.organisation_id == organisation_id)
    if audiences is not None:
        clauses.append(tuple_(location_items.c.audience, location_items.c.audience_id).in_(audiences)
                       if audiences else false())
    return and_(*clauses)


async def readable_items(session: Session, organisation_id: UUID | None, audiences: list[tuple[str, UUID]] | None,
                         kind: str, before: tuple[datetime, UUID] | None, limit: int) -> list[Row]:
    """Newest first, older than `before`."""
    query = select(location_items).where(_readable(organisation_id, audiences), location_items.c.kind == kind)
    if before is not None:
        stamp, last = before
        query = query.where(or_(location_items.c.published_at < stamp,
                                and_(location_items.c.published_at == stamp, location_items.c.item_id < last)))
    return list((await session.execute(query.order_by(location_items.c.published_at.desc(),
                                                      location_items.c.item_id.desc()).limit(limit))).all())


async def readable_item(session: Session, item_id: UUID, organisation_id: UUID | None,
                        audiences: list[tuple[str, UUID]]) -> Row | None:
    return (await session.execute(select(location_items).where(_readable(organisation_id, audiences),
                                                               location_items.c.item_id == item_id))).first()


async def ready_attachments(session: Session, item_ids: list[UUID]) -> dict[UUID, list[Row]]:
    found: dict[UUID, list[Row]] = {item_id: [] for item_id in item_ids}
    if item_ids:
        rows = await session.execute(select(location_item_attachments).where(
            location_item_attachments.c.item_id.in_(item_ids), location_item_attachments.c.status == "ready")
            .order_by(location_item_attachments.c.created_at, location_item_attachments.c.attachment_id))
        for row in rows:
            found[row.item_id].append(row)
    return found


async def items_of_organisation(session: Session, organisation_id: UUID, kind: str | None) -> list[Row]:
    query = select(location_items).where(location_items.c.organisation_id == organisation_id)
    if kind is not None:
        query = query.where(location_items.c.kind == kind)
    return list((await session.execute(query.order_by(location_items.c.published_at.desc(),
                                                      location_items.c.item_id.desc()))).all())
