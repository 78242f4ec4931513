"""Feeds: a family's recent photos and diary entries across its children (home screen) and one child's timeline.

Newest first, keyset cursors on (time, id): a page never shifts when new items arrive; "new" compares with
when the account last marked its feed seen.
"""

import base64
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden, Invalid, NotFound

from timeline.db import Row
from timeline.db import feed_queries as queries
from timeline.service_layer import diary, photos
from timeline.service_layer.location_access import Viewer, child_for
from timeline.service_layer.media_settings import settings_of

MAX_LIMIT = 50


@dataclass(frozen=True)
class FeedItem:
    kind: str  # photos | diary
    item_id: UUID
    at: datetime
    new: bool
    series: Row | None = None
    series_photos: list[photos.VisiblePhoto] | None = None
    group_name: str | None = None
    entry: diary.Entry | None = None
    child_names: dict[UUID, str] | None = None
    downloadable: bool = False


@dataclass(frozen=True)
class Feed:
    items: list[FeedItem]
    next_cursor: str | None
    last_seen_at: datetime | None
    unseen: int | None  # on the first page only


def encode_cursor(at: datetime, item_id: UUID) -> str:
    return base64.urlsafe_b64encode(f"{at.isoformat()}|{item_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, item_id = raw.split("|")
        parsed = datetime.fromisoformat(at)
        if parsed.tzinfo is None:
            raise ValueError("naive")
        return parsed, UUID(item_id)
    except (ValueError, UnicodeDecodeError):
        raise Invalid("bad_cursor", "This cursor is not one the feed gave out.") from None


async def _page(session: Session, family_id: UUID, child_id: UUID | None, cursor: str | None, limit: int,
                staff_view: bool) -> tuple[list[Row], str | None]:
    rows = await queries.page(session, family_id, child_id, decode_cursor(cursor) if cursor else None, limit + 1,
                              staff_view=staff_view)
    following = encode_cursor(rows[limit - 1].at, rows[limit - 1].item_id) if len(rows) > limit else None
    return rows[:limit], following


async def last_seen(session: Session, viewer: Viewer) -> datetime | None:
    return await queries.last_seen(session, viewer.actor_id)


async def mark_seen(session: Session, viewer: Viewer, now: datetime) -> datetime:
    _parent(viewer)
    await queries.mark_seen(session, viewer.actor_id, now)
    return now


def _parent(viewer: Viewer) -> UUID:
    if not viewer.is_parent:
        raise Forbidden("parents_only", "The family feed is for parents.")
    if viewer.family_id is None:
        raise Forbidden("forbidden", "Your account is not linked to a family yet.")
    return viewer.family_id


async def _build(session: Session, viewer: Viewer, rows: list[Row], seen: datetime | None) -> list[FeedItem]:
    """The page's items in full, in a constant number of queries (a feed page is the home screen's hot path)."""
    series = await photos.visible_series_many(session, viewer, [r.item_id for r in rows if r.kind == "photos"])
    entries = await diary.read_many(session, viewer, [r.item_id for r in rows if r.kind == "diary"])
    group_ids = {found[0].group_id for found in series.values()}
    groups = await queries.group_names(session, group_ids)
    allows = {}
    for organisation_id in {found[0].organisation_id for found in series.values()}:
        allows[organisation_id] = (await settings_of(session, organisation_id)).downloads_allowed
    child_ids = {c for _, shown in series.values() for p in shown for c in p.child_ids} | {
        e.entry.child_id for e in entries.values()}
    names = await queries.child_names(session, child_ids)
    items: list[FeedItem] = []
    for row in rows:
        new = seen is None or row.at > seen
        if row.kind == "photos" and row.item_id in series:  # absent: consent withdrawn since the page query
            found, shown = series[row.item_id]
            items.append(FeedItem("photos", row.item_id, row.at, new, series=found, series_photos=shown,
                                  group_name=groups.get(found.group_id), child_names=names,
                                  downloadable=photos.downloads_allowed(found, allows[found.organisation_id])))
        elif row.kind == "diary" and row.item_id in entries:
            items.append(FeedItem("diary", row.item_id, row.at, new, entry=entries[row.item_id], child_names=names))
    return items


async def _unseen(session: Session, viewer: Viewer, family_id: UUID, seen: datetime | None) -> int:
    rows, _ = await _page(session, family_id, None, None, 100, staff_view=False)
    return sum(1 for row in rows if seen is None or row.at > seen)


async def family_feed(session: Session, viewer: Viewer, cursor: str | None, limit: int) -> Feed:
    family_id = _parent(viewer)
    limit = max(1, min(limit, MAX_LIMIT))
    seen = await last_seen(session, viewer)
    rows, following = await _page(session, family_id, None, cursor, limit, staff_view=False)
    unseen = None if cursor else await _unseen(session, viewer, family_id, seen)
    return Feed(await _build(session, viewer, rows, seen), following, seen, unseen)


async def child_timeline(session: Session, viewer: Viewer, child_id: UUID, cursor: str | None,
                         limit: int) -> Feed:
    _, family_id = await child_for(session, viewer, child_id)  # 404 for another family's child
    if not viewer.is_parent and not await diary.staff_sees_child(session, viewer, child_id):
        raise NotFound("not_found", "No such child.")
    limit = max(1, min(limit, MAX_LIMIT))
    seen = await last_seen(session, viewer) if viewer.is_parent else None
    rows, following = await _page(session, family_id, child_id, cursor, limit,
                                  staff_view=not viewer.is_parent)
    return Feed(await _build(session, viewer, rows, seen), following, seen, None)

