"""The diary (dagboek): entries about one child by staff and by its parents, text plus optional photos/videos."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from konnect_contracts.events.timeline import DiaryEntryPosted
from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden, Invalid, NotFound
from konnect_kit.outbox import Outbox

from timeline.db import Row
from timeline.db import diary_queries as queries
from timeline.service_layer import timeline_uploads
from timeline.service_layer.location_access import Viewer, child_for
from timeline.service_layer.media_settings import settings_of

MAX_TEXT = 5000
MAX_MEDIA = 10
WRITERS = frozenset({"parent", "staff", "org_admin"})


@dataclass(slots=True)  # built per photo / entry on every feed read: see feeds.FeedItem
class Entry:
    entry: Row
    media: list[Row]


def _clean_text(text: str) -> str:
    body = text.strip()
    if not body:
        raise Invalid("empty_text", "Write something in the entry.")
    if len(body) > MAX_TEXT:
        raise Invalid("text_too_long", f"An entry has at most {MAX_TEXT} characters.")
    return body


async def staff_sees_child(session: Session, viewer: Viewer, child_id: UUID) -> bool:
    if viewer.role != "staff":
        return True  # administrators (and the operator) see every child of their organisation
    return bool(await queries.groups_of_child(session, child_id) & viewer.staff_group_ids)


async def _child(session: Session, viewer: Viewer, child_id: UUID) -> tuple[UUID, UUID]:
    organisation_id, family_id = await child_for(session, viewer, child_id)
    if not await staff_sees_child(session, viewer, child_id):
        raise NotFound("not_found", "No such child.")
    return organisation_id, family_id


async def _author_name(session: Session, viewer: Viewer) -> str | None:
    if viewer.staff_id is not None:
        return await queries.staff_name(session, viewer.staff_id)
    return None


async def write(session: Session, outbox: Outbox, viewer: Viewer, child_id: UUID, text: str,
                media_ids: list[UUID], now: datetime) -> Entry:
    if viewer.role not in WRITERS:
        raise Forbidden("forbidden", "Only the child's parents and staff write in the diary.")
    organisation_id, family_id = await _child(session, viewer, child_id)  # 404 for another family's child
    body = _clean_text(text)
    if len(media_ids) > MAX_MEDIA:
        raise Invalid("too_many_photos", f"An entry has at most {MAX_MEDIA} photos or videos.")
    uploads = await timeline_uploads.take_ready(session, viewer, media_ids)
    if any(u.kind == "video" for u in uploads) and not (await settings_of(session, organisation_id)).videos_enabled:
        raise Invalid("videos_off", "This organisation has not enabled videos.")
    entry_id = uuid.uuid4()
    role = "parent" if viewer.is_parent else "staff"
    await queries.insert_entry(
        session, [u.media_id for u in uploads], entry_id=entry_id, organisation_id=organisation_id,
        child_id=child_id, family_id=family_id, author_account_id=viewer.actor_id, author_role=role,
        author_name=await _author_name(session, viewer), body=body, created_at=now)
    author = _uuid_or_derived(viewer.actor_id)
    await outbox.publish(session, DiaryEntryPosted(entry_id=entry_id, organisation_id=organisation_id,
                                                   child_id=child_id, author_account_id=author, author_role=role,
                                                   has_media=bool(uploads)))
    return await read(session, viewer, entry_id)


def _uuid_or_derived(actor_id: str) -> UUID:
    try:
        return UUID(actor_id)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"konnect:{actor_id}")


async def read(session: Session, viewer: Viewer, entry_id: UUID) -> Entry:
    """One entry in full, for the child's family and the staff of its groups; 404 for anyone else."""
    found = (await read_many(session, viewer, [entry_id])).get(entry_id)
    if found is None:
        raise NotFound("not_found", "No such diary entry.")
    return found


async def read_many(session: Session, viewer: Viewer, entry_ids: list[UUID]) -> dict[UUID, Entry]:
    """The entries (of those asked) the viewer may read, with their media; others are left out."""
    if not entry_ids:
        return {}
    rows = [entry for entry in await queries.entries(session, entry_ids) if viewer.covers(entry.organisation_id)]
    if viewer.is_parent:
        allowed = [entry for entry in rows if entry.family_id == viewer.family_id]
    elif viewer.role == "staff":  # the staff of the child's groups; one query for the page, not one per entry
        groups = await queries.groups_of_children(session, list({entry.child_id for entry in rows}))
        allowed = [entry for entry in rows if groups[entry.child_id] & viewer.staff_group_ids]
    else:
        allowed = rows  # administrators (and the operator) read every entry of their organisation
    media = await queries.ready_media_of(session, [entry.entry_id for entry in allowed])
    return {entry.entry_id: Entry(entry, media.get(entry.entry_id, [])) for entry in allowed}


async def child_name(session: Session, child_id: UUID) -> str | None:
    return await queries.child_name(session, child_id)
