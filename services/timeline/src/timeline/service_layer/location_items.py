"""News, newsletters and info pages: publish, update, withdraw (staff/admins) and read (the families addressed)."""

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from konnect_contracts.events.timeline import NewsletterPublished, NewsPublished
from konnect_kit.domain_errors import Forbidden, Invalid, NotFound
from konnect_kit.outbox import Outbox
from sqlalchemy import Row, and_, false, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from timeline.db.location import loc_groups, loc_locations, location_item_attachments, location_items
from timeline.domain.location_audience import staff_may_address
from timeline.service_layer.location_access import Viewer
from timeline.service_layer.location_rich_text import sanitise

MAX_BODY = 100_000


@dataclass(frozen=True)
class ItemDraft:
    kind: str
    title: str
    body: str
    audience: str
    audience_id: UUID
    draft: bool = False


def _no_item() -> NotFound:
    return NotFound("not_found", "No such item.")


async def _locations_addressed(session: AsyncSession, organisation_id: UUID, audience: str,
                               audience_id: UUID) -> list[UUID]:
    """The locations an audience lies in (NotFound when it is not one of the organisation's)."""
    if audience == "organisation":
        if audience_id != organisation_id:
            raise NotFound("not_found", "No such organisation.")
        rows = await session.scalars(select(loc_locations.c.location_id).where(
            loc_locations.c.organisation_id == organisation_id, loc_locations.c.deleted.is_(False)))
        return sorted(rows, key=str)
    table, key = (loc_locations, loc_locations.c.location_id) if audience == "location" \
        else (loc_groups, loc_groups.c.group_id)
    location = await session.scalar(select(table.c.location_id).where(
        key == audience_id, table.c.organisation_id == organisation_id, table.c.deleted.is_(False)))
    if location is None:
        raise NotFound("not_found", f"No such {audience}.")
    return [location]


def _checked(draft: ItemDraft) -> tuple[str, str]:
    title, body = draft.title.strip(), sanitise(draft.body)
    if not title:
        raise Invalid("empty_title", "The title is empty.")
    if len(draft.body) > MAX_BODY:
        raise Invalid("body_too_long", f"The text is longer than {MAX_BODY} characters.")
    if not body:
        raise Invalid("empty_body", "The text is empty (after removing what is not allowed in rich text).")
    return title, body


def _may_write(viewer: Viewer, organisation_id: UUID, draft_audience: tuple[str, UUID] | None) -> None:
    if not viewer.covers(organisation_id):
        raise NotFound("not_found", "No such organisation.")
    if viewer.role not in ("org_admin", "platform_operator", "staff"):
        raise Forbidden("forbidden", "Only staff and administrators publish on My location.")
    if draft_audience is not None and not staff_may_address(viewer.role, *draft_audience, viewer.staff_group_ids):
        raise Forbidden("forbidden_audience", "Staff publish for the groups they work in only.")


async def _announce(session: AsyncSession, outbox: Outbox, item: Row, locations: list[UUID], *,
                    has_attachments: bool) -> None:
    """News and newsletters are announced once per location addressed (the content topic is keyed by location)."""
    if item.kind == "info_page":
        return
    for location_id in locations:
        common: dict[str, Any] = {"organisation_id": item.organisation_id, "location_id": location_id,
                                  "title": item.title, "has_attachments": has_attachments,
                                  "published_at": item.published_at, "audience": item.audience,
                                  "audience_id": item.audience_id}
        event = NewsPublished(news_id=item.item_id, **common) if item.kind == "news" \
            else NewsletterPublished(newsletter_id=item.item_id, **common)
        await outbox.publish(session, event, organisation_id=item.organisation_id)


async def publish(session: AsyncSession, outbox: Outbox, viewer: Viewer, organisation_id: UUID, draft: ItemDraft,
                  now: datetime) -> Row:
    _may_write(viewer, organisation_id, (draft.audience, draft.audience_id))
    title, body = _checked(draft)
    locations = await _locations_addressed(session, organisation_id, draft.audience, draft.audience_id)
    item = (await session.execute(location_items.insert().values(
        item_id=uuid.uuid4(), organisation_id=organisation_id, kind=draft.kind, title=title, body_html=body,
        audience=draft.audience, audience_id=draft.audience_id, status="draft" if draft.draft else "published",
        author_account_id=viewer.actor_id, published_at=now, updated_at=now).returning(*location_items.c))).one()
    if not draft.draft:  # published at once: it has no attachments (they are added to an existing item)
        await _announce(session, outbox, item, locations, has_attachments=False)
    return item


async def publish_draft(session: AsyncSession, outbox: Outbox, viewer: Viewer, item_id: UUID, now: datetime) -> Row:
    """Publish a draft (with the attachments added meanwhile): families see it from now and it is announced,
    `has_attachments` saying whether it has any. Publishing a published item again changes nothing."""
    item = await managed_item(session, viewer, item_id, lock=True)
    if item.status == "withdrawn":
        raise Invalid("withdrawn", "A withdrawn item cannot be published again.")
    if item.status == "published":
        return item
    locations = await _locations_addressed(session, item.organisation_id, item.audience, item.audience_id)
    item = (await session.execute(update(location_items).where(location_items.c.item_id == item_id).values(
        status="published", published_at=now, updated_at=now).returning(*location_items.c))).one()
    attached = (await attachments_of(session, [item_id])).get(item_id, [])
    await _announce(session, outbox, item, locations, has_attachments=bool(attached))
    return item


async def managed_item(session: AsyncSession, viewer: Viewer, item_id: UUID, *, lock: bool = False) -> Row:
    """An item the caller may change: 404 outside their organisation, 403 for a staff member's other audiences."""
    query = select(location_items).where(location_items.c.item_id == item_id)
    if viewer.organisation_id is not None:
        query = query.where(location_items.c.organisation_id == viewer.organisation_id)
    item = (await session.execute(query.with_for_update() if lock else query)).first()
    if item is None:
        raise _no_item()
    _may_write(viewer, item.organisation_id, (item.audience, item.audience_id))
    return item


async def update_item(session: AsyncSession, viewer: Viewer, item_id: UUID, organisation_id: UUID, draft: ItemDraft,
                      now: datetime) -> Row:
    """Title, text and audience change in place (no new announcement); the kind of an item never changes."""
    item = await managed_item(session, viewer, item_id, lock=True)
    if item.organisation_id != organisation_id:  # an item is never moved to another organisation
        raise _no_item()
    _may_write(viewer, item.organisation_id, (draft.audience, draft.audience_id))
    if draft.kind != item.kind:
        raise Invalid("kind_fixed", f"This item is a {item.kind}; its kind cannot change.")
    if item.status == "withdrawn":
        raise Invalid("withdrawn", "A withdrawn item cannot be changed.")
    title, body = _checked(draft)
    await _locations_addressed(session, item.organisation_id, draft.audience, draft.audience_id)
    return (await session.execute(update(location_items).where(location_items.c.item_id == item_id).values(
        title=title, body_html=body, audience=draft.audience, audience_id=draft.audience_id, updated_at=now)
        .returning(*location_items.c))).one()


async def withdraw(session: AsyncSession, viewer: Viewer, item_id: UUID, now: datetime) -> Row:
    """Hidden from families at once; idempotent."""
    item = await managed_item(session, viewer, item_id, lock=True)
    if item.status == "withdrawn":
        return item
    return (await session.execute(update(location_items).where(location_items.c.item_id == item_id).values(
        status="withdrawn", withdrawn_at=now, updated_at=now).returning(*location_items.c))).one()


def _visible(viewer: Viewer) -> Any:
    """The WHERE clause of the items this viewer may read: the organisation bound, a parent's audiences only."""
    clauses = [location_items.c.status == "published"]
    if viewer.organisation_id is not None:
        clauses.append(location_items.c.organisation_id == viewer.organisation_id)
    if viewer.is_parent:
        audiences = sorted(viewer.audiences, key=lambda a: (a[0], str(a[1])))
        clauses.append(tuple_(location_items.c.audience, location_items.c.audience_id).in_(audiences)
                       if audiences else false())
    return and_(*clauses)


def encode_cursor(item: Row) -> str:
    return base64.urlsafe_b64encode(f"{item.published_at.isoformat()}|{item.item_id}".encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        stamp, item_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        found = datetime.fromisoformat(stamp), UUID(item_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid("bad_cursor", "The cursor is not one this list gave out.") from None
    if found[0].tzinfo is None:
        raise Invalid("bad_cursor", "The cursor is not one this list gave out.")
    return found


async def list_items(session: AsyncSession, viewer: Viewer, kind: str, *, limit: int,
                     cursor: str | None) -> tuple[list[Row], str | None]:
    """Newest first; the cursor is the last item seen, so new items never shift a page being read."""
    query = select(location_items).where(_visible(viewer), location_items.c.kind == kind)
    if cursor is not None:
        stamp, last = decode_cursor(cursor)
        query = query.where(or_(location_items.c.published_at < stamp,
                                and_(location_items.c.published_at == stamp, location_items.c.item_id < last)))
    rows = list((await session.execute(query.order_by(location_items.c.published_at.desc(),
                                                      location_items.c.item_id.desc()).limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1]) if more and rows else None


async def visible_item(session: AsyncSession, viewer: Viewer, item_id: UUID) -> Row:
    """The item if the viewer may read it; 404 for another organisation's, another audience's or a withdrawn one.

    Staff and admins also open withdrawn items of their own organisation (to see what they withdrew).
    """
    if viewer.is_parent:
        query = select(location_items).where(_visible(viewer), location_items.c.item_id == item_id)
    else:
        query = select(location_items).where(location_items.c.item_id == item_id)
        if viewer.organisation_id is not None:
            query = query.where(location_items.c.organisation_id == viewer.organisation_id)
    item = (await session.execute(query)).first()
    if item is None:
        raise _no_item()
    return item


async def attachments_of(session: AsyncSession, item_ids: list[UUID]) -> dict[UUID, list[Row]]:
    found: dict[UUID, list[Row]] = {item_id: [] for item_id in item_ids}
    if item_ids:
        rows = await session.execute(select(location_item_attachments).where(
            location_item_attachments.c.item_id.in_(item_ids), location_item_attachments.c.status == "ready")
            .order_by(location_item_attachments.c.created_at, location_item_attachments.c.attachment_id))
        for row in rows:
            found[row.item_id].append(row)
    return found


async def admin_list(session: AsyncSession, viewer: Viewer, organisation_id: UUID, kind: str | None) -> list[Row]:
    """Every item of the organisation, withdrawn ones too, for the people who publish them."""
    _may_write(viewer, organisation_id, None)
    query = select(location_items).where(location_items.c.organisation_id == organisation_id)
    if kind is not None:
        query = query.where(location_items.c.kind == kind)
    return list((await session.execute(query.order_by(location_items.c.published_at.desc(),
                                                      location_items.c.item_id.desc()))).all())
