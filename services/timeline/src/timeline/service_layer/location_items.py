"""News, newsletters and info pages: publish, update, withdraw (staff/admins) and read (the families addressed)."""

import base64
import binascii
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from konnect_contracts.events.timeline import NewsletterPublished, NewsPublished
from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden, Invalid, NotFound
from konnect_kit.outbox import Outbox

from timeline.db import Row
from timeline.db import item_queries as queries
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


async def _locations_addressed(session: Session, organisation_id: UUID, audience: str,
                               audience_id: UUID) -> list[UUID]:
    """The locations an audience lies in (NotFound when it is not one of the organisation's)."""
    if audience == "organisation":
        if audience_id != organisation_id:
            raise NotFound("not_found", "No such organisation.")
        return await queries.location_ids_of_organisation(session, organisation_id)
    location = await queries.location_of(session, audience, audience_id, organisation_id)
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


async def _announce(session: Session, outbox: Outbox, item: Row, locations: list[UUID], *,
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


async def publish(session: Session, outbox: Outbox, viewer: Viewer, organisation_id: UUID, draft: ItemDraft,
                  now: datetime) -> Row:
    _may_write(viewer, organisation_id, (draft.audience, draft.audience_id))
    title, body = _checked(draft)
    locations = await _locations_addressed(session, organisation_id, draft.audience, draft.audience_id)
    item = await queries.insert_item(
        session, item_id=uuid.uuid4(), organisation_id=organisation_id, kind=draft.kind, title=title, body_html=body,
        audience=draft.audience, audience_id=draft.audience_id, status="draft" if draft.draft else "published",
        author_account_id=viewer.actor_id, published_at=now, updated_at=now)
    if not draft.draft:  # published at once: it has no attachments (they are added to an existing item)
        await _announce(session, outbox, item, locations, has_attachments=False)
    return item


async def publish_draft(session: Session, outbox: Outbox, viewer: Viewer, item_id: UUID, now: datetime) -> Row:
    """Publish a draft (with the attachments added meanwhile): families see it from now and it is announced,
    `has_attachments` saying whether it has any. Publishing a published item again changes nothing."""
    item = await managed_item(session, viewer, item_id, lock=True)
    if item.status == "withdrawn":
        raise Invalid("withdrawn", "A withdrawn item cannot be published again.")
    if item.status == "published":
        return item
    locations = await _locations_addressed(session, item.organisation_id, item.audience, item.audience_id)
    item = await queries.change_item(session, item_id, status="published", published_at=now, updated_at=now)
    attached = (await attachments_of(session, [item_id])).get(item_id, [])
    await _announce(session, outbox, item, locations, has_attachments=bool(attached))
    return item


async def managed_item(session: Session, viewer: Viewer, item_id: UUID, *, lock: bool = False) -> Row:
    """An item the caller may change: 404 outside their organisation, 403 for a staff member's other audiences."""
    item = await queries.item(session, item_id, viewer.organisation_id, lock=lock)
    if item is None:
        raise _no_item()
    _may_write(viewer, item.organisation_id, (item.audience, item.audience_id))
    return item


async def update_item(session: Session, viewer: Viewer, item_id: UUID, organisation_id: UUID, draft: ItemDraft,
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
    return await queries.change_item(session, item_id, title=title, body_html=body, audience=draft.audience,
                                     audience_id=draft.audience_id, updated_at=now)


async def withdraw(session: Session, viewer: Viewer, item_id: UUID, now: datetime) -> Row:
    """Hidden from families at once; idempotent."""
    item = await managed_item(session, viewer, item_id, lock=True)
    if item.status == "withdrawn":
        return item
    return await queries.change_item(session, item_id, status="withdrawn", withdrawn_at=now, updated_at=now)


def _audiences(viewer: Viewer) -> list[tuple[str, UUID]] | None:
    """A parent's audiences (organisation, location, group of each placement); None: all of the organisation's."""
    return sorted(viewer.audiences, key=lambda a: (a[0], str(a[1]))) if viewer.is_parent else None


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


async def list_items(session: Session, viewer: Viewer, kind: str, *, limit: int,
                     cursor: str | None) -> tuple[list[Row], str | None]:
    """Newest first; the cursor is the last item seen, so new items never shift a page being read."""
    before = decode_cursor(cursor) if cursor is not None else None
    rows = await queries.readable_items(session, viewer.organisation_id, _audiences(viewer), kind, before, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_cursor(rows[-1]) if more and rows else None


async def visible_item(session: Session, viewer: Viewer, item_id: UUID) -> Row:
    """The item if the viewer may read it; 404 for another organisation's, another audience's or a withdrawn one.

    Staff and admins also open withdrawn items (and drafts) of their own organisation (to see what they wrote).
    """
    if viewer.is_parent:
        item = await queries.readable_item(session, item_id, viewer.organisation_id, _audiences(viewer) or [])
    else:
        item = await queries.item(session, item_id, viewer.organisation_id)
    if item is None:
        raise _no_item()
    return item


async def attachments_of(session: Session, item_ids: list[UUID]) -> dict[UUID, list[Row]]:
    return await queries.ready_attachments(session, item_ids)


async def admin_list(session: Session, viewer: Viewer, organisation_id: UUID, kind: str | None) -> list[Row]:
    """Every item of the organisation, withdrawn ones too, for the people who publish them."""
    _may_write(viewer, organisation_id, None)
    return await queries.items_of_organisation(session, organisation_id, kind)
