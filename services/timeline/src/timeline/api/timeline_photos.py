"""Photo routes: uploads (presigned, confirmed), posting a series (staff), a series and a photo, the download."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Query
from konnect_kit.clock import ClockDep
from konnect_kit.internal import CallerDep
from konnect_kit.service import KitDep, SessionDep

from timeline.api.media_dep import MediaDep
from timeline.api.timeline_models import (
    DownloadOut,
    PhotoOut,
    PostedPhotoOut,
    PostedSeriesOut,
    SeriesIn,
    SeriesOut,
    SeriesPageOut,
    UploadedOut,
    UploadFailure,
    UploadOut,
)
from timeline.media_runtime import Media
from timeline.service_layer import feeds, media_urls, photos, timeline_uploads
from timeline.service_layer.location_access import viewer_for

router = APIRouter(tags=["photos"])


def uploaded_out(row) -> UploadedOut:
    failure = UploadFailure(code=row.failure_code, message=row.failure_message) if row.failure_code else None
    return UploadedOut(upload_id=row.media_id, status=row.processing or "uploading", failure=failure,
                       kind=row.kind, content_type=row.original_type,
                       size_bytes=row.size_bytes, width=row.width, height=row.height,
                       duration_seconds=row.duration_seconds)


@router.post("/timeline/uploads", response_model=UploadOut, status_code=201, summary="Start a photo or video upload")
async def start_upload(who: CallerDep, session: SessionDep, media: MediaDep, clock: ClockDep) -> UploadOut:
    """A presigned form to send one file straight to the media store (it never passes through the API), bound to
    one object and the size limit. Then confirm it; unconfirmed uploads are deleted after `expires_at`."""
    viewer = await viewer_for(session, who, clock.now().date())
    started = await timeline_uploads.start(session, media, viewer, clock.now())
    return UploadOut(upload_id=started.media_id, url=started.form.url, fields=started.form.fields,
                     max_bytes=started.form.max_bytes, expires_at=started.form.expires_at)


@router.post("/timeline/uploads/{upload_id}/confirm", response_model=UploadedOut,
             summary="Confirm an upload: check it and queue it for processing")
async def confirm_upload(upload_id: UUID, who: CallerDep, session: SessionDep, media: MediaDep, kit: KitDep,
                         clock: ClockDep) -> UploadedOut:
    """The type is decided from the bytes; JPEG, PNG, WebP and HEIC/HEIF photos (and MP4/QuickTime/WebM videos
    where enabled) are accepted. What the file's first bytes show is checked at once: a wrong type, too large, a
    decompression bomb, a video where videos are off is deleted: 422. Then it is `processing`: orientation
    applied, all metadata (GPS above all) removed, display size and thumbnail made; a damaged file ends `failed`
    (see `GET /timeline/uploads/{upload_id}`). It can be posted while processing; families see it once ready."""
    viewer = await viewer_for(session, who, clock.now().date())
    return uploaded_out(await timeline_uploads.confirm(session, kit.outbox, media, viewer, upload_id))


@router.get("/timeline/uploads/{upload_id}", response_model=UploadedOut, summary="An upload's processing state")
async def get_upload(upload_id: UUID, who: CallerDep, session: SessionDep, clock: ClockDep) -> UploadedOut:
    """The caller's own upload: `processing`, `ready` (with its size) or `failed` (with the reason)."""
    viewer = await viewer_for(session, who, clock.now().date())
    return uploaded_out(await timeline_uploads.own_upload(session, viewer, upload_id))


@router.post("/timeline/series", response_model=PostedSeriesOut, status_code=201,
             summary="Post a series of photos for a group (staff)")
async def post_series(body: SeriesIn, who: CallerDep, session: SessionDep, kit: KitDep,
                      clock: ClockDep) -> PostedSeriesOut:
    """Each photo is shown to the families of the children tagged in it; a child without consent for sharing
    photos makes it visible to that child's own family only. `notices` says so for each such photo."""
    viewer = await viewer_for(session, who, clock.now().date())
    posted = await photos.post_series(
        session, kit.outbox, viewer, group_id=body.group_id, child_ids=tuple(body.child_ids), caption=body.caption,
        downloadable=body.downloadable, now=clock.now(),
        items=[photos.PhotoIn(p.upload_id, tuple(p.child_ids) if p.child_ids is not None else None)
               for p in body.photos])
    return PostedSeriesOut(series_id=posted.series_id, posted_at=posted.posted_at, notices=posted.notices, photos=[
        PostedPhotoOut(photo_id=p.photo_id, upload_id=p.media_id, kind=p.kind, child_ids=p.child_ids,
                       children_without_consent=p.without_consent, not_shown_to_families_of=p.withheld_from)
        for p in posted.photos])


def photo_content(media: Media, item: photos.VisiblePhoto, now, *, full: bool) -> dict[str, Any]:
    """PhotoOut's content, in its field order (the family feed writes it as it is: konnect_kit.answers)."""
    row = item.photo
    ready = row.processing == "ready"
    duration = row.duration_seconds
    content = {"photo_id": row.photo_id, "kind": row.kind, "status": row.processing or "processing",
               "position": row.position, "width": row.width, "height": row.height,
               # A float, as PhotoOut writes it (JSON may have brought a whole number as an int).
               "duration_seconds": None if duration is None else float(duration), "child_ids": item.child_ids,
               "thumbnail_url": media_urls.thumbnail(media, row.media_base, now) if ready else None,
               "display_url": None, "video_url": None, "urls_expire_at": None}
    if full and ready:
        urls = media_urls.urls(media, row.media_base, row.kind, now)
        content["display_url"], content["video_url"], content["urls_expire_at"] = urls.display, urls.video, \
            urls.expires_at
    return content


def photo_out(media: Media, item: photos.VisiblePhoto, now, *, full: bool) -> PhotoOut:
    return PhotoOut.model_validate(photo_content(media, item, now, full=full))


def series_content(media: Media, series, shown, now, *, full: bool, group_name: str | None,
                   downloadable: bool) -> dict[str, Any]:
    """SeriesOut's content, its media URLs signed: only for a series the caller's visibility check let through."""
    return {"series_id": series.series_id, "group_id": series.group_id, "group_name": group_name,
            "caption": series.caption, "posted_at": series.posted_at, "downloadable": downloadable,
            "photos": [photo_content(media, item, now, full=full) for item in shown]}


def series_answer(media: Media, series, shown, now, *, full: bool, group_name: str | None,
                  downloadable: bool) -> SeriesOut:
    return SeriesOut.model_validate(series_content(media, series, shown, now, full=full, group_name=group_name,
                                                   downloadable=downloadable))


async def series_out(session, media: Media, series, shown, now, *, full: bool) -> SeriesOut:
    return series_answer(media, series, shown, now, full=full, group_name=None,
                         downloadable=await photos.may_download(session, series))


@router.get("/timeline/series/{series_id}", response_model=SeriesOut, summary="A photo series, to page through")
async def get_series(series_id: UUID, who: CallerDep, session: SessionDep, media: MediaDep,
                     clock: ClockDep) -> SeriesOut:
    """The photos of the series the caller may see, with short-lived URLs of their display size."""
    viewer = await viewer_for(session, who, clock.now().date())
    series, shown = await photos.visible_series(session, viewer, series_id)
    return await series_out(session, media, series, shown, clock.now(), full=True)


@router.get("/timeline/groups/{group_id}/series", response_model=SeriesPageOut,
            summary="Every photo series of a group (its staff, the organisation's administrators)")
async def group_series(group_id: UUID, who: CallerDep, session: SessionDep, media: MediaDep, clock: ClockDep,
                       cursor: str | None = None, limit: int = Query(default=20, ge=1, le=50)) -> SeriesPageOut:
    """Newest first, keyset pages (stable under new posts). Staff see every photo, also those still processing or
    failed (without URLs), and every tagged child; another organisation's group is a 404."""
    viewer = await viewer_for(session, who, clock.now().date())
    before = feeds.decode_cursor(cursor) if cursor else None
    page, following = await photos.group_series(session, viewer, group_id, before, limit)
    now = clock.now()
    return SeriesPageOut(items=[await series_out(session, media, series, shown, now, full=False)
                                for series, shown in page],
                         next_cursor=feeds.encode_cursor(*following) if following else None)


@router.get("/timeline/photos/{photo_id}", response_model=PhotoOut, summary="One photo or video, full size")
async def get_photo(photo_id: UUID, who: CallerDep, session: SessionDep, media: MediaDep,
                    clock: ClockDep) -> PhotoOut:
    viewer = await viewer_for(session, who, clock.now().date())
    _, item = await photos.visible_photo(session, viewer, photo_id)
    return photo_out(media, item, clock.now(), full=True)


@router.get("/timeline/photos/{photo_id}/download", response_model=DownloadOut,
            summary="Download the original (where downloads are allowed)")
async def download_photo(photo_id: UUID, who: CallerDep, session: SessionDep, media: MediaDep,
                         clock: ClockDep) -> DownloadOut:
    """The original without its metadata, as a short-lived URL; 403 where the organisation (or the post) does not
    allow downloads."""
    viewer = await viewer_for(session, who, clock.now().date())
    row = (await photos.downloadable_photo(session, viewer, photo_id)).photo
    extension = {"image/jpeg": "jpg", "image/png": "png", "video/mp4": "mp4", "video/quicktime": "mov",
                 "video/webm": "webm"}.get(row.original_type, "bin")
    name = f"konnect-{str(photo_id)[:8]}.{extension}"
    now = clock.now()
    return DownloadOut(url=media_urls.original(media, row.media_base, name, now), expires_at=now + media.url_lifetime,
                       file_name=name, content_type=row.original_type)
