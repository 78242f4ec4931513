"""Photo series: staff post photos/videos of a group tagging its children; families see them per the consent rule."""

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from konnect_contracts.events.timeline import PhotoPosted
from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden, Invalid, NotFound
from konnect_kit.outbox import Outbox

from timeline.db import Row
from timeline.db import photo_queries as queries
from timeline.domain.photo_visibility import Tag, children_without_consent, family_sees, withheld_children
from timeline.service_layer import timeline_uploads
from timeline.service_layer.location_access import Viewer
from timeline.service_layer.media_settings import MediaSettings, settings_of

POSTERS = frozenset({"staff", "org_admin"})
MAX_PHOTOS = 50
MAX_CAPTION = 2000


@dataclass(frozen=True)
class PhotoIn:
    media_id: UUID
    child_ids: tuple[UUID, ...] | None = None  # None: the series' children


@dataclass
class PostedPhoto:
    photo_id: UUID
    media_id: UUID
    kind: str
    child_ids: list[UUID]
    without_consent: list[UUID]
    withheld_from: list[UUID]


@dataclass
class PostedSeries:
    series_id: UUID
    posted_at: datetime
    photos: list[PostedPhoto] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def _poster_staff_id(viewer: Viewer, group_id: UUID) -> UUID:
    if viewer.role not in POSTERS or viewer.organisation_id is None:
        raise Forbidden("forbidden", "Only staff post photos.")
    if viewer.role == "staff":
        if viewer.staff_id is None or group_id not in viewer.staff_group_ids:
            raise Forbidden("not_your_group", "You post photos only for the groups you work in.")
        return viewer.staff_id
    return UUID(viewer.actor_id) if _is_uuid(viewer.actor_id) else uuid.uuid5(uuid.NAMESPACE_URL, viewer.actor_id)


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


async def _group(session: Session, viewer: Viewer, group_id: UUID) -> Row:
    row = await queries.group_of(session, viewer.organisation_id, group_id)
    if row is None:
        raise NotFound("not_found", "No such group.")
    return row


async def post_series(session: Session, outbox: Outbox, viewer: Viewer, *, group_id: UUID,
                      child_ids: tuple[UUID, ...], caption: str | None, downloadable: bool | None,
                      items: list[PhotoIn], now: datetime) -> PostedSeries:
    group = await _group(session, viewer, group_id)
    staff_id = _poster_staff_id(viewer, group_id)
    if not items or len(items) > MAX_PHOTOS:
        raise Invalid("photo_count", f"A series has 1 to {MAX_PHOTOS} photos.")
    if caption is not None and (len(caption) > MAX_CAPTION):
        raise Invalid("caption_too_long", f"A caption has at most {MAX_CAPTION} characters.")
    wanted = {child for item in items for child in (item.child_ids if item.child_ids is not None else child_ids)}
    if any(not (item.child_ids if item.child_ids is not None else child_ids) for item in items):
        raise Invalid("no_children", "Tag at least one child in every photo.")
    placed = await queries.children_in_group(session, group.organisation_id, group_id, wanted, now.date())
    strangers = sorted(wanted - placed.keys(), key=str)
    if strangers:
        raise Invalid("child_not_in_group", "Tag only children placed in this group.",
                      {"child_ids": [str(c) for c in strangers]})
    uploads = await timeline_uploads.take_ready(session, viewer, [item.media_id for item in items])
    settings = await settings_of(session, group.organisation_id)
    if any(u.kind == "video" for u in uploads) and not settings.videos_enabled:
        raise Invalid("videos_off", "This organisation has not enabled videos.")
    series_id = uuid.uuid4()
    await queries.insert_series(
        session, series_id=series_id, organisation_id=group.organisation_id, location_id=group.location_id,
        group_id=group_id, caption=caption, posted_by_staff_id=staff_id, downloadable=downloadable, posted_at=now)
    posted = PostedSeries(series_id, now)
    for position, (item, upload) in enumerate(zip(items, uploads, strict=True)):
        tagged = item.child_ids if item.child_ids is not None else child_ids
        tags = [Tag(c, placed[c].family_id, bool(placed[c].granted)) for c in dict.fromkeys(tagged)]
        photo_id = uuid.uuid4()
        await queries.insert_photo(session, [
            {"photo_id": photo_id, "child_id": t.child_id, "family_id": t.family_id, "series_id": series_id,
             "organisation_id": group.organisation_id, "posted_at": now} for t in tags],
            photo_id=photo_id, series_id=series_id, organisation_id=group.organisation_id, media_id=upload.media_id,
            position=position, posted_at=now)
        result = PostedPhoto(photo_id, upload.media_id, upload.kind, [t.child_id for t in tags],
                             children_without_consent(tags), withheld_children(tags))
        posted.photos.append(result)
        for child in result.without_consent:
            posted.notices.append(f"Photo {position + 1}: {placed[child].first_name} has no consent for sharing "
                                  f"photos, so only {placed[child].first_name}'s own family sees it.")
        for child in result.withheld_from:
            if child not in result.without_consent:
                posted.notices.append(f"Photo {position + 1} is not shown to {placed[child].first_name}'s family: "
                                      "another child in it has no consent for sharing photos.")
        if upload.processing == "ready":  # else the processing step announces it once families can see it
            await outbox.publish(session, _photo_posted(group, staff_id, caption, downloadable, settings, photo_id,
                                                        series_id, [t.child_id for t in tags], upload.kind))
    return posted


def _photo_posted(series: Row, staff_id: UUID, caption: str | None, downloadable: bool | None,
                  settings: MediaSettings, photo_id: UUID, series_id: UUID, child_ids: list[UUID],
                  kind: str) -> PhotoPosted:
    return PhotoPosted(photo_id=photo_id, organisation_id=series.organisation_id, location_id=series.location_id,
                       group_id=series.group_id, child_ids=tuple(child_ids), posted_by_staff_id=staff_id,
                       media_kind=kind, series_id=series_id, caption=caption,
                       downloadable=_downloads_allowed(downloadable, settings.downloads_allowed))


async def announce(session: Session, outbox: Outbox, media_id: UUID) -> None:
    """`PhotoPosted` for the photo of this (just processed) upload, if it was posted meanwhile."""
    photo = await queries.photo_of_media(session, media_id)
    if photo is None:
        return  # a diary entry's upload: the entry was announced when written
    child_ids = await queries.tagged_children(session, photo.photo_id)
    settings = await settings_of(session, photo.organisation_id)
    await outbox.publish(session, _photo_posted(photo, photo.posted_by_staff_id, photo.caption, photo.downloadable,
                                                settings, photo.photo_id, photo.series_id, child_ids, photo.kind))


def _downloads_allowed(post: bool | None, organisation: bool) -> bool:
    # The post's own choice wins; without one, the organisation's setting applies.
    return organisation if post is None else post


async def _tags_of(session: Session, photo_ids: list[UUID]) -> dict[UUID, list[Tag]]:
    rows = await queries.tags_with_consent(session, photo_ids)
    return {photo_id: [Tag(r.child_id, r.family_id, bool(r.granted)) for r in tags] for photo_id, tags in rows.items()}


def _sees_organisation(viewer: Viewer, organisation_id: UUID, group_id: UUID) -> bool:
    if viewer.role == "staff":
        return viewer.organisation_id == organisation_id and group_id in viewer.staff_group_ids
    return viewer.role in ("org_admin", "platform_operator") and viewer.covers(organisation_id)


@dataclass(slots=True)  # built per photo / entry on every feed read: see feeds.FeedItem
class VisiblePhoto:
    photo: Row  # photos + timeline_media columns
    child_ids: list[UUID]


async def visible_series_many(session: Session, viewer: Viewer,
                              series_ids: list[UUID]) -> dict[UUID, tuple[Row, list[VisiblePhoto]]]:
    """The series (of those asked) the viewer may see, each with the photos of it the viewer may see; a series
    with none is left out. A constant number of queries, however many series (the feed asks for a page)."""
    if not series_ids:
        return {}
    all_series = await queries.series_many(session, series_ids)
    all_series = [s for s in all_series if viewer.covers(s.organisation_id)]
    if not all_series:
        return {}
    rows = await queries.photos_of_series(session, [s.series_id for s in all_series])
    tags = await _tags_of(session, [row.photo_id for row in rows])
    by_series: dict[UUID, list[Row]] = defaultdict(list)
    for row in rows:
        by_series[row.series_id].append(row)
    found = {}
    for series in all_series:
        staff_view = _sees_organisation(viewer, series.organisation_id, series.group_id)
        shown = []
        for row in by_series.get(series.series_id, []):
            photo_tags_ = tags.get(row.photo_id, [])
            if staff_view:
                shown.append(VisiblePhoto(row, [t.child_id for t in photo_tags_]))
            elif (viewer.is_parent and viewer.family_id is not None and row.processing == "ready"
                  and family_sees(viewer.family_id, photo_tags_)):
                # A family is told only about its own children in the photo.
                shown.append(VisiblePhoto(row, [t.child_id for t in photo_tags_
                                                if t.family_id == viewer.family_id]))
        if shown:
            found[series.series_id] = (series, shown)
    return found


async def group_series(session: Session, viewer: Viewer, group_id: UUID, before: tuple[datetime, UUID] | None,
                       limit: int) -> tuple[list[tuple[Row, list[VisiblePhoto]]], tuple[datetime, UUID] | None]:
    """Every series of the group, newest first, with every photo and its processing state: for the group's staff
    and the organisation's administrators (another organisation's group is a 404). The next page's key, if any."""
    if viewer.role not in POSTERS:
        raise Forbidden("forbidden", "Only staff see a group's photo series.")
    group = await _group(session, viewer, group_id)  # 404 outside the caller's organisation
    if viewer.role == "staff" and group_id not in viewer.staff_group_ids:
        raise Forbidden("not_your_group", "You see the series of the groups you work in.")
    page = await queries.group_series_ids(session, group.organisation_id, group_id, before, limit + 1)
    found = await visible_series_many(session, viewer, [series_id for series_id, _ in page[:limit]])
    following = (page[limit - 1][1], page[limit - 1][0]) if len(page) > limit else None
    return [found[series_id] for series_id, _ in page[:limit] if series_id in found], following


async def visible_series(session: Session, viewer: Viewer, series_id: UUID) -> tuple[Row, list[VisiblePhoto]]:
    """The series and the photos of it the viewer may see; 404 when none (another family's photos stay hidden)."""
    found = (await visible_series_many(session, viewer, [series_id])).get(series_id)
    if found is None:
        raise NotFound("not_found", "No such photo series.")
    return found


async def visible_photo(session: Session, viewer: Viewer, photo_id: UUID) -> tuple[Row, VisiblePhoto]:
    series_id = await queries.series_of_photo(session, photo_id)
    if series_id is None:
        raise NotFound("not_found", "No such photo.")
    try:
        series, shown = await visible_series(session, viewer, series_id)
    except NotFound:
        raise NotFound("not_found", "No such photo.") from None
    for item in shown:
        if item.photo.photo_id == photo_id:
            return series, item
    raise NotFound("not_found", "No such photo.")


async def may_download(session: Session, series: Row) -> bool:
    organisation = (await settings_of(session, series.organisation_id)).downloads_allowed
    return downloads_allowed(series, organisation)


def downloads_allowed(series: Row, organisation_allows: bool) -> bool:
    return _downloads_allowed(series.downloadable, organisation_allows)



async def downloadable_photo(session: Session, viewer: Viewer, photo_id: UUID) -> VisiblePhoto:
    """A photo the viewer sees and may download; 403 where the organisation (or the post) does not allow it."""
    series, item = await visible_photo(session, viewer, photo_id)
    if not await may_download(session, series):
        raise Forbidden("downloads_off", "Downloading photos is not allowed here.")
    return item
