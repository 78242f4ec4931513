"""Feeds: a family's recent photos and diary entries across its children (home screen) and one child's timeline.

Newest first, keyset cursors on (time, id): a page never shifts when new items arrive; "new" compares with
when the account last marked its feed seen.
"""

import base64
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from konnect_kit.db import Reader, Session
from konnect_kit.db import Row as ReadRow
from konnect_kit.domain_errors import Forbidden, Invalid, NotFound
from konnect_kit.internal import Caller
from konnect_kit.tenancy import bound_organisation

from timeline.db import Row, feed_read
from timeline.db import feed_queries as queries
from timeline.service_layer import diary, photos
from timeline.service_layer.location_access import Viewer, child_for
from timeline.service_layer.media_settings import settings_of

MAX_LIMIT = 50

# The feed's objects are built per item and photo on every read and never changed after: plain slotted
# dataclasses, not frozen ones, whose generated __init__ sets each field through object.__setattr__ (1.7 us
# against 0.35 us for seven fields; ~100 us of a page of 20 items with photos, PROFILE-read-paths.md round 16).


@dataclass(slots=True)
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


@dataclass(slots=True)
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


async def child_timeline(session: Session, viewer: Viewer, child_id: UUID, cursor: str | None,
                         limit: int) -> Feed:
    """One child's timeline for the staff of its groups and its organisation's administrators: every series the
    child is tagged in (with every photo and its state) and its diary. Parents take `parent_feed`."""
    if viewer.is_parent:
        raise Forbidden("forbidden", "Parents read their children's timelines through the family feed's query.")
    await child_for(session, viewer, child_id)  # 404 for another organisation's child
    if not await diary.staff_sees_child(session, viewer, child_id):
        raise NotFound("not_found", "No such child.")
    limit = max(1, min(limit, MAX_LIMIT))
    rows = await queries.child_page(session, child_id, decode_cursor(cursor) if cursor else None, limit + 1)
    following = encode_cursor(rows[limit - 1].at, rows[limit - 1].item_id) if len(rows) > limit else None
    return Feed(await _build(session, viewer, rows[:limit], None), following, None, None)


# -- the parents' hot path: one SQL round trip per page (db/feed_read.py), on the lean read path -----------------------

@dataclass(slots=True)
class SeriesView:
    series_id: UUID
    group_id: UUID
    caption: str | None
    posted_at: datetime


@dataclass(slots=True)
class PhotoView:
    photo_id: UUID
    position: int
    kind: str | None
    media_base: str
    width: int | None
    height: int | None
    duration_seconds: float | None
    processing: str = "ready"  # the query returns processed photos only


@dataclass(slots=True)
class EntryView:
    entry_id: UUID
    child_id: UUID
    author_role: str
    author_name: str | None
    author_account_id: str
    body: str
    created_at: datetime


@dataclass(slots=True)
class MediaView:
    media_id: UUID
    kind: str
    media_base: str


def _account_uuid(actor_id: str) -> UUID | None:
    try:
        return UUID(actor_id)
    except ValueError:
        return None


def _item(row: ReadRow, seen: datetime | None, names: dict[UUID, str]) -> FeedItem:
    new = seen is None or row.at > seen
    if row.kind == "photos":
        shown = [photos.VisiblePhoto(PhotoView(UUID(p["photo_id"]), p["position"], p["kind"], p["media_base"],
                                               p["width"], p["height"], p["duration_seconds"]),
                                     [UUID(c) for c in p["child_ids"] or ()]) for p in row.photos or ()]
        return FeedItem("photos", row.item_id, row.at, new,
                        series=SeriesView(row.series_id, row.group_id, row.caption, row.posted_at),
                        series_photos=shown, group_name=row.group_name, child_names=names,
                        downloadable=row.organisation_downloads if row.downloadable is None else row.downloadable)
    entry = EntryView(row.entry_id, row.child_id, row.author_role, row.author_name, row.author_account_id, row.body,
                      row.created_at)
    media = [MediaView(UUID(m["media_id"]), m["kind"], m["media_base"]) for m in row.media or ()]
    return FeedItem("diary", row.item_id, row.at, new, entry=diary.Entry(entry, media), child_names=names)


async def parent_feed(reader: Reader, who: Caller, child_id: UUID | None, cursor: str | None,
                      limit: int) -> Feed:
    """A parent's family feed (or one of the family's children's timeline) in one round trip: the same items,
    rules and answer as the staff's `child_timeline` narrowed to what a family may see, built by PostgreSQL.

    It writes nothing (marking the feed seen is its own PUT), so it runs on a `Reader`: no unit of work."""
    if who.role != "parent":
        raise Forbidden("parents_only", "The family feed is for parents.")
    organisation_id = bound_organisation(who)
    limit = max(1, min(limit, MAX_LIMIT))
    before = decode_cursor(cursor) if cursor else None
    rows = await feed_read.family_page(
        reader, account_id=who.actor_id, account_uuid=_account_uuid(who.actor_id), organisation_id=organisation_id,
        child_id=child_id, before=before, limit=limit + 1, count_unseen=cursor is None and child_id is None)
    first = rows[0]
    if first.family_id is None:
        if child_id is not None:
            raise NotFound("not_found", "No such child.")
        raise Forbidden("forbidden", "Your account is not linked to a family yet.")
    if child_id is not None and not first.child_in_family:
        raise NotFound("not_found", "No such child.")  # another family's child
    rows = [row for row in rows if row.kind is not None]
    following = encode_cursor(rows[limit - 1].at, rows[limit - 1].item_id) if len(rows) > limit else None
    names = {UUID(k): v for k, v in (first.child_names or {}).items()}
    return Feed([_item(row, first.seen_at, names) for row in rows[:limit]], following, first.seen_at, first.unseen)
