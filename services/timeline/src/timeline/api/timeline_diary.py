"""Diary and feed routes: write and read diary entries, the family feed, one child's timeline, "seen"."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response
from konnect_kit.answers import json_answer
from konnect_kit.clock import ClockDep
from konnect_kit.internal import CallerDep
from konnect_kit.service import KitDep, ReaderDep, SessionDep

from timeline.api.media_dep import MediaDep
from timeline.api.timeline_models import DiaryEntryOut, DiaryIn, FeedOut, SeenOut
from timeline.api.timeline_photos import series_content
from timeline.media_runtime import Media
from timeline.service_layer import diary, feeds, media_urls
from timeline.service_layer.location_access import Viewer, viewer_for

router = APIRouter(tags=["diary and feeds"])


def entry_content(media: Media, viewer: Viewer, found: diary.Entry, now, child_name: str | None,
                  *, full: bool) -> dict[str, Any]:
    """DiaryEntryOut's content, in its field order (the family feed writes it as it is: konnect_kit.answers)."""
    entry = found.entry
    items = []
    for row in found.media:
        item = {"upload_id": row.media_id, "kind": row.kind,
                "thumbnail_url": media_urls.thumbnail(media, row.media_base, now), "display_url": None,
                "video_url": None}
        if full:
            urls = media_urls.urls(media, row.media_base, row.kind, now)
            item["display_url"], item["video_url"] = urls.display, urls.video
        items.append(item)
    return {"entry_id": entry.entry_id, "child_id": entry.child_id, "child_name": child_name,
            "author_role": entry.author_role, "author_name": entry.author_name,
            "written_by_me": entry.author_account_id == viewer.actor_id,
            "text": entry.body if full else entry.body[:280], "created_at": entry.created_at, "media": items}


def entry_out(media: Media, viewer: Viewer, found: diary.Entry, now, child_name: str | None,
              *, full: bool) -> DiaryEntryOut:
    return DiaryEntryOut.model_validate(entry_content(media, viewer, found, now, child_name, full=full))


@router.post("/timeline/children/{child_id}/diary", response_model=DiaryEntryOut, status_code=201,
             summary="Write a diary entry about a child")
async def write_entry(child_id: UUID, body: DiaryIn, who: CallerDep, session: SessionDep, kit: KitDep,
                      media: MediaDep, clock: ClockDep) -> DiaryEntryOut:
    """By the child's parents or the staff of its group; text plus optional confirmed uploads (photos, videos
    where enabled). It is in the family feed at once."""
    viewer = await viewer_for(session, who, clock.now().date())
    found = await diary.write(session, kit.outbox, viewer, child_id, body.text, body.upload_ids, clock.now())
    return entry_out(media, viewer, found, clock.now(), await diary.child_name(session, child_id), full=True)


@router.get("/timeline/diary/{entry_id}", response_model=DiaryEntryOut, summary="A diary entry in full")
async def read_entry(entry_id: UUID, who: CallerDep, session: SessionDep, media: MediaDep,
                     clock: ClockDep) -> DiaryEntryOut:
    viewer = await viewer_for(session, who, clock.now().date())
    found = await diary.read(session, viewer, entry_id)
    return entry_out(media, viewer, found, clock.now(), await diary.child_name(session, found.entry.child_id),
                     full=True)


def feed_answer(media: Media, viewer: Viewer, feed: feeds.Feed, now) -> Response:
    """FeedOut, its media URLs signed, written as it is (konnect_kit.answers): building and validating a model per
    item and photo only to write them out again was about a tenth of a family feed's CPU (py-spy,
    PROFILE-read-paths.md round 8). The feed's queries have already checked the caller's family or group, so
    nothing is signed for an item the caller may not see. The timeline tests read each answer back through FeedOut
    and check it writes the same bytes."""
    items = []
    for item in feed.items:
        content: dict[str, Any] = {"type": item.kind, "id": item.item_id, "at": item.at, "new": item.new,
                                   "series": None, "diary_entry": None}
        if item.kind == "photos":
            content["series"] = series_content(media, item.series, item.series_photos, now, full=False,
                                               group_name=item.group_name, downloadable=item.downloadable)
        else:
            names = item.child_names or {}
            content["diary_entry"] = entry_content(media, viewer, item.entry, now,
                                                   names.get(item.entry.entry.child_id), full=False)
        items.append(content)
    return json_answer({"items": items, "next_cursor": feed.next_cursor, "last_seen_at": feed.last_seen_at,
                        "unseen": feed.unseen})


@router.get("/timeline/feed", response_model=FeedOut, summary="The family's recent photos and diary entries")
async def family_feed(who: CallerDep, reader: ReaderDep, media: MediaDep, clock: ClockDep,
                      cursor: str | None = Query(default=None, max_length=200),
                      limit: int = Query(default=20, ge=1, le=50)) -> Response:
    """Across all the family's children, newest first (thumbnails only); page with `next_cursor`."""
    feed = await feeds.parent_feed(reader, who, None, cursor, limit)
    return feed_answer(media, Viewer("parent", None, who.actor_id), feed, clock.now())


@router.get("/timeline/children/{child_id}/timeline", response_model=FeedOut, summary="One child's timeline")
async def child_timeline(child_id: UUID, who: CallerDep, reader: ReaderDep, kit: KitDep, media: MediaDep,
                         clock: ClockDep, cursor: str | None = Query(default=None, max_length=200),
                         limit: int = Query(default=20, ge=1, le=50)) -> Response:
    # Read-only either way, so the route takes the lean read path: a parent's timeline is one statement on the
    # Reader; staff's several reads run in one transaction, for one snapshot (nothing is written).
    if who.role == "parent":
        feed = await feeds.parent_feed(reader, who, child_id, cursor, limit)
        return feed_answer(media, Viewer("parent", None, who.actor_id), feed, clock.now())
    async with kit.database.transaction() as session:
        viewer = await viewer_for(session, who, clock.now().date())
        feed = await feeds.child_timeline(session, viewer, child_id, cursor, limit)
    return feed_answer(media, viewer, feed, clock.now())


@router.put("/timeline/feed/seen", response_model=SeenOut, summary="Mark the feed seen (\"new\" restarts now)")
async def mark_seen(who: CallerDep, session: SessionDep, clock: ClockDep) -> SeenOut:
    viewer = await viewer_for(session, who, clock.now().date())
    return SeenOut(seen_at=await feeds.mark_seen(session, viewer, clock.now()))
