"""My location routes: contact data, our team, news, newsletters, info pages (read), and publishing them (staff)."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from konnect_kit.clock import ClockDep
from konnect_kit.db import Session
from konnect_kit.internal import Caller, CallerDep
from konnect_kit.service import KitDep, SessionDep

from timeline.api.location_models import (
    AttachmentOut,
    ItemIn,
    ItemOut,
    ItemPage,
    ItemsOut,
    ItemSummaryOut,
    Kind,
    LocationOut,
    LocationsOut,
    TeamGroup,
    TeamMemberOut,
    TeamOut,
)
from timeline.service_layer import location_directory, location_items
from timeline.service_layer.location_access import Viewer, viewer_for
from timeline.service_layer.location_items import ItemDraft
from timeline.service_layer.location_rich_text import summary

router = APIRouter(tags=["my location"])

Limit = Annotated[int, Query(ge=1, le=100, description="Items per page.")]
Cursor = Annotated[str | None, Query(max_length=200, description="`next_cursor` of the previous page.")]


async def _viewer(session: Session, who: Caller, clock: Any) -> Viewer:
    return await viewer_for(session, who, clock.now().date())


def _attachment_out(row: Any) -> AttachmentOut:
    return AttachmentOut(attachment_id=row.attachment_id, file_name=row.file_name, content_type=row.content_type,
                         size_bytes=row.size_bytes, is_pdf=row.content_type == "application/pdf")


def _summary_out(row: Any, attachments: list[Any]) -> ItemSummaryOut:
    return ItemSummaryOut(item_id=row.item_id, kind=row.kind, title=row.title, summary=summary(row.body_html),
                          published_at=row.published_at, updated_at=row.updated_at, audience=row.audience,
                          audience_id=row.audience_id, attachments=[_attachment_out(a) for a in attachments])


async def item_out(session: Session, row: Any) -> ItemOut:
    attachments = (await location_items.attachments_of(session, [row.item_id]))[row.item_id]
    return ItemOut(**_summary_out(row, attachments).model_dump(), organisation_id=row.organisation_id,
                   body_html=row.body_html, status=row.status)


@router.get("/location", response_model=LocationsOut, summary="Contact data of my location(s)")
async def my_locations(who: CallerDep, session: SessionDep, clock: ClockDep) -> LocationsOut:
    """The locations where the caller's children are placed, with address, phone and e-mail."""
    rows = await location_directory.locations(session, await _viewer(session, who, clock))
    return LocationsOut(items=[LocationOut(**{k: getattr(r, k) for k in LocationOut.model_fields}) for r in rows])


@router.get("/location/team", response_model=TeamOut, summary="Our team: staff of my children's groups")
async def our_team(who: CallerDep, session: SessionDep, clock: ClockDep) -> TeamOut:
    """Staff of the groups where the caller's children are placed, with a short introduction and photo."""
    staff, groups = await location_directory.team(session, await _viewer(session, who, clock))
    return TeamOut(items=[TeamMemberOut(
        staff_id=s.staff_id, name=s.name, introduction=s.bio, photo_url=None,
        groups=[TeamGroup(group_id=g, name=groups[g].name) for g in s.group_ids if g in groups]) for s in staff])


async def _page(session: Session, who: Caller, clock: Any, kind: str, limit: int, cursor: str | None) -> ItemPage:
    viewer = await _viewer(session, who, clock)
    rows, next_cursor = await location_items.list_items(session, viewer, kind, limit=limit, cursor=cursor)
    attachments = await location_items.attachments_of(session, [r.item_id for r in rows])
    return ItemPage(items=[_summary_out(r, attachments[r.item_id]) for r in rows], next_cursor=next_cursor)


@router.get("/location/news", response_model=ItemPage, summary="News of my location, newest first")
async def news(who: CallerDep, session: SessionDep, clock: ClockDep, limit: Limit = 20,
               cursor: Cursor = None) -> ItemPage:
    """News addressed to the caller's organisation, location(s) or group(s); attachments are listed and marked."""
    return await _page(session, who, clock, "news", limit, cursor)


@router.get("/location/newsletters", response_model=ItemPage, summary="Newsletters, newest first")
async def newsletters(who: CallerDep, session: SessionDep, clock: ClockDep, limit: Limit = 20,
                      cursor: Cursor = None) -> ItemPage:
    """Newsletters addressed to the caller's organisation, location(s) or group(s)."""
    return await _page(session, who, clock, "newsletter", limit, cursor)


@router.get("/location/info-pages", response_model=ItemPage, summary="Info pages of my location")
async def info_pages(who: CallerDep, session: SessionDep, clock: ClockDep, limit: Limit = 20,
                     cursor: Cursor = None) -> ItemPage:
    """Info pages (opening hours, practical matters, ...) addressed to the caller's organisation, location or group."""
    return await _page(session, who, clock, "info_page", limit, cursor)


@router.get("/location/items/{item_id}", response_model=ItemOut, summary="One news item, newsletter or info page")
async def one_item(item_id: UUID, who: CallerDep, session: SessionDep, clock: ClockDep) -> ItemOut:
    """The full item; 404 when it is not addressed to the caller (or was withdrawn)."""
    viewer = await _viewer(session, who, clock)
    return await item_out(session, await location_items.visible_item(session, viewer, item_id))


def _draft(body: ItemIn) -> ItemDraft:
    return ItemDraft(kind=body.kind, title=body.title, body=body.body, audience=body.audience,
                     audience_id=body.audience_id, draft=body.draft)


@router.post("/admin/location/items", response_model=ItemOut, status_code=201,
             summary="Publish a news item, newsletter or info page")
async def publish_item(body: ItemIn, who: CallerDep, session: SessionDep, kit: KitDep, clock: ClockDep) -> ItemOut:
    """Administrators publish for their organisation, a location or a group; staff for the groups they work in.
    News and newsletters are announced (NewsPublished / NewsletterPublished) for notifications."""
    viewer = await _viewer(session, who, clock)
    row = await location_items.publish(session, kit.outbox, viewer, body.organisation_id, _draft(body), clock.now())
    return await item_out(session, row)


@router.get("/admin/location/items", response_model=ItemsOut, summary="Every item of an organisation")
async def admin_items(organisation_id: UUID, who: CallerDep, session: SessionDep, clock: ClockDep,
                      item_kind: Kind | None = None) -> ItemsOut:
    """Published and withdrawn items, newest first, for the staff and administrators who publish them."""
    viewer = await _viewer(session, who, clock)
    rows = await location_items.admin_list(session, viewer, organisation_id, item_kind)
    attachments = await location_items.attachments_of(session, [r.item_id for r in rows])
    return ItemsOut(items=[ItemOut(**_summary_out(r, attachments[r.item_id]).model_dump(),
                                   organisation_id=r.organisation_id, body_html=r.body_html, status=r.status)
                           for r in rows])


@router.put("/admin/location/items/{item_id}", response_model=ItemOut, summary="Change a published item")
async def update_item(item_id: UUID, body: ItemIn, who: CallerDep, session: SessionDep, clock: ClockDep) -> ItemOut:
    """Title, text and audience change in place; the kind stays and the organisation must be the item's own."""
    viewer = await _viewer(session, who, clock)
    row = await location_items.update_item(session, viewer, item_id, body.organisation_id, _draft(body), clock.now())
    return await item_out(session, row)


@router.post("/admin/location/items/{item_id}/publish", response_model=ItemOut, summary="Publish a draft item")
async def publish_draft(item_id: UUID, who: CallerDep, session: SessionDep, kit: KitDep, clock: ClockDep) -> ItemOut:
    """A draft (created with `draft: true`, attachments added) becomes visible to its audience and is announced,
    with `has_attachments` true when it has any; publishing a published item again changes nothing."""
    viewer = await _viewer(session, who, clock)
    return await item_out(session, await location_items.publish_draft(session, kit.outbox, viewer, item_id,
                                                                       clock.now()))


@router.post("/admin/location/items/{item_id}/withdraw", response_model=ItemOut, summary="Withdraw an item")
async def withdraw_item(item_id: UUID, who: CallerDep, session: SessionDep, clock: ClockDep) -> ItemOut:
    """Families no longer see it; staff and administrators still find it in the organisation's list."""
    viewer = await _viewer(session, who, clock)
    return await item_out(session, await location_items.withdraw(session, viewer, item_id, clock.now()))
