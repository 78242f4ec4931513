"""Photo/video uploads of the timeline: presigned straight to S3, confirmed (cheap checks, then queued for the
processing step), then attached.

The bytes never pass through this service (see the README's "Uploads"): the client posts the file to S3 with a
policy bound to one key and the size limit, then confirms. Confirming runs the cheap checks (type, size, claimed
pixels: a 422 at once, the file deleted) and publishes `MediaUploaded` through the outbox; timeline's own consumer
then processes the file (`media_processing`), retrying and dead-lettering like any consumer step. Until attached
to a post or diary entry a row stays `pending`, so the retention worker's janitor deletes uploads never confirmed,
or confirmed and never used, once `upload_expires_at` passed.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from konnect_contracts.events.timeline import MediaUploaded
from konnect_kit.db import Session
from konnect_kit.domain_errors import Conflict, Forbidden, Invalid, NotFound
from konnect_kit.media import DEFAULT_LIMITS, UPLOAD, MediaRefused, PresignedUpload, new_key, object_key, precheck
from konnect_kit.outbox import Outbox

from timeline.db import Row
from timeline.db import upload_queries as queries
from timeline.media_runtime import Media
from timeline.service_layer.location_access import Viewer
from timeline.service_layer.media_settings import settings_of

UPLOADERS = frozenset({"parent", "staff", "org_admin"})
ATTACH_WITHIN = timedelta(hours=24)  # a confirmed file not used in a post or diary entry by then is deleted


@dataclass(frozen=True)
class StartedUpload:
    media_id: UUID
    form: PresignedUpload


def _uploader(viewer: Viewer) -> UUID:
    if viewer.role not in UPLOADERS or viewer.organisation_id is None:
        raise Forbidden("forbidden", "Only parents and staff of an organisation upload photos.")
    if viewer.is_parent and viewer.family_id is None:
        raise Forbidden("forbidden", "Your account is not linked to a family yet.")
    return viewer.organisation_id


async def start(session: Session, media: Media, viewer: Viewer, now: datetime) -> StartedUpload:
    organisation_id = _uploader(viewer)
    videos = (await settings_of(session, organisation_id)).videos_enabled
    # The policy's size bound is the largest the organisation accepts at all; the kind's own limit is checked
    # again when the bytes say what the file is.
    max_bytes = DEFAULT_LIMITS.max_bytes("video" if videos else "photo")
    base = new_key(organisation_id, "timeline")
    form = media.store.presign_upload(object_key(base, UPLOAD), max_bytes, media.upload_lifetime)
    media_id = uuid.uuid4()
    await queries.insert_upload(
        session, media_id=media_id, organisation_id=organisation_id, media_base=base, status="pending",
        uploaded_by=viewer.actor_id, created_at=now, upload_expires_at=now + media.upload_lifetime)
    return StartedUpload(media_id, form)


async def own_upload(session: Session, viewer: Viewer, media_id: UUID, *, lock: bool = False) -> Row:
    """An upload of this caller (another caller's, or another organisation's, is a 404)."""
    row = await queries.own_upload(session, media_id, viewer.actor_id, viewer.organisation_id, lock=lock)
    if row is None:
        raise NotFound("not_found", "No such upload.")
    return row


def accepted_kinds(videos_enabled: bool) -> tuple[str, ...]:
    return ("photo", "video") if videos_enabled else ("photo",)


def refused(refusal: MediaRefused) -> Invalid:
    """A refusal of the media pipeline as the API's 422."""
    if refusal.code == "video_not_accepted":
        return Invalid("videos_off", "This organisation has not enabled videos.")
    if refusal.code.endswith("_not_accepted"):  # e.g. a PDF named IMG_0001.jpg
        return Invalid("bad_type", "The file's contents are not an accepted photo or video type.")
    return Invalid(refusal.code, refusal.message)


async def confirm(session: Session, outbox: Outbox, media: Media, viewer: Viewer, media_id: UUID) -> Row:
    """Check the uploaded file cheaply (a 422, and the file deleted, when it is not acceptable) and queue it for
    processing; the answer says `processing` (then `ready` or `failed`: ask `GET /timeline/uploads/{id}`)."""
    _uploader(viewer)
    row = await own_upload(session, viewer, media_id, lock=True)
    if row.processing is not None or row.status == "attached":
        return row  # confirming twice answers the same
    videos = (await settings_of(session, row.organisation_id)).videos_enabled
    try:
        kind = (await precheck(media.store, row.media_base, accepted_kinds(videos))).kind
    except MediaRefused as refusal:
        # The raw upload is deleted; the pending row (now pointing at nothing) goes with its deadline.
        raise refused(refusal) from None
    except Exception:  # the store is briefly away: the processing step checks it all, and retries
        kind = None
    await queries.change(session, media_id, {"kind": kind, "processing": "processing",
                                             "upload_expires_at": row.upload_expires_at + ATTACH_WITHIN})
    await outbox.publish(session, MediaUploaded(media_id=media_id, organisation_id=row.organisation_id, kind=kind))
    return await own_upload(session, viewer, media_id)


async def take_ready(session: Session, viewer: Viewer, media_ids: list[UUID]) -> list[Row]:
    """Confirmed uploads of this caller (ready or still processing), locked and marked attached (each can be used
    once); a failed one is a 409."""
    if len(set(media_ids)) != len(media_ids):
        raise Invalid("duplicate_upload", "Each upload can be used once.")
    rows = []
    for media_id in media_ids:
        row = await own_upload(session, viewer, media_id, lock=True)
        if row.status == "attached":
            raise Conflict("upload_used", "This upload is already posted.", {"upload_id": str(media_id)})
        if row.processing is None:
            raise Conflict("upload_not_confirmed", "Confirm the upload before posting it.",
                           {"upload_id": str(media_id)})
        if row.processing == "failed":
            raise Conflict("upload_failed", f"This file could not be processed: {row.failure_message}",
                           {"upload_id": str(media_id), "reason": row.failure_code})
        rows.append(row)
    if rows:
        await queries.mark_attached(session, media_ids)
    return rows
