"""Attachments of news/newsletters/info pages and observations: presigned upload, confirm (checked), signed download.

The file never passes through this service: the client posts it straight to S3 with a presigned, key- and
size-bound policy, then confirms; confirming runs the shared media pipeline (type from the bytes, size limit,
photos stripped of all metadata) in a worker process. Families get a short-lived URL of one object, issued only
after the same visibility check as the item or observation itself. Uploads never confirmed are deleted by the
retention worker once their deadline passed.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.domain_errors import Conflict, Forbidden, Invalid, NotFound
from konnect_kit.media import (
    DEFAULT_LIMITS,
    ORIGINAL,
    UPLOAD,
    MediaProcessor,
    MediaRefused,
    MediaStore,
    PresignedUpload,
    new_key,
    object_key,
)

from timeline.db import Row
from timeline.db import observation_queries as queries
from timeline.service_layer.location_access import Viewer
from timeline.service_layer.location_items import managed_item, visible_item
from timeline.service_layer.observations import OBSERVERS, visible_observation

ACCEPTED = ("document", "photo")  # PDFs as sent; photos upright and without metadata (GPS above all)
MAX_PER_ITEM = 10


class MediaTerms(Protocol):
    """What this module needs of the timeline's media runtime: the bucket and how long uploads and URLs live."""

    store: MediaStore
    url_lifetime: timedelta
    upload_lifetime: timedelta


@dataclass(frozen=True)
class Download:
    url: str
    expires_at: datetime
    file_name: str
    content_type: str


def _upload_bytes() -> int:
    return max(DEFAULT_LIMITS.max_bytes("document"), DEFAULT_LIMITS.max_bytes("photo"))


async def start_item_upload(session: Session, media: MediaTerms, viewer: Viewer, item_id: UUID,
                            file_name: str, now: datetime) -> tuple[UUID, PresignedUpload]:
    item = await managed_item(session, viewer, item_id, lock=True)
    if item.status == "withdrawn":
        raise Invalid("withdrawn", "A withdrawn item gets no attachments.")
    if await queries.item_attachment_count(session, item_id) >= MAX_PER_ITEM:
        raise Invalid("too_many_attachments", f"An item has at most {MAX_PER_ITEM} attachments.")
    base = new_key(item.organisation_id, "location")
    upload = media.store.presign_upload(object_key(base, UPLOAD), _upload_bytes(), media.upload_lifetime)
    attachment_id = uuid.uuid4()
    await queries.insert_item_attachment(
        session, attachment_id=attachment_id, item_id=item_id, organisation_id=item.organisation_id,
        file_name=file_name, media_base=base, status="pending", upload_expires_at=now + media.upload_lifetime,
        created_at=now)
    return attachment_id, upload


async def _process(processor: MediaProcessor, base: str) -> tuple[str, int]:
    try:
        processed = await processor.process(base, ACCEPTED)
    except MediaRefused as refusal:
        # The pipeline deleted the upload already; the pending row goes with the upload deadline.
        raise Invalid(refusal.code, refusal.message) from None
    return processed.original_type, processed.size_bytes


async def confirm_item_upload(session: Session, processor: MediaProcessor, viewer: Viewer, item_id: UUID,
                              attachment_id: UUID, now: datetime) -> Row:
    await managed_item(session, viewer, item_id)
    attachment = await queries.item_attachment(session, item_id, attachment_id, lock=True)
    if attachment is None:
        raise NotFound("not_found", "No such attachment.")
    if attachment.status == "ready":
        return attachment  # confirming twice is harmless
    if attachment.upload_expires_at < now:
        raise Conflict("upload_expired", "The upload was not confirmed in time; start a new one.")
    content_type, size = await _process(processor, attachment.media_base)
    return await queries.item_attachment_ready(session, attachment_id, content_type, size)


def _download(media: MediaTerms, attachment: Row, now: datetime) -> Download:
    url = media.store.presign_download(object_key(attachment.media_base, ORIGINAL), media.url_lifetime,
                                       file_name=attachment.file_name)
    return Download(url, now + media.url_lifetime, attachment.file_name, attachment.content_type)


async def item_download(session: Session, media: MediaTerms, viewer: Viewer, item_id: UUID,
                        attachment_id: UUID, now: datetime) -> Download:
    """A signed URL of one ready attachment of an item the viewer may read; 404 otherwise."""
    await visible_item(session, viewer, item_id)
    attachment = await queries.item_attachment(session, item_id, attachment_id, ready=True)
    if attachment is None:
        raise NotFound("not_found", "No such attachment.")
    return _download(media, attachment, now)


async def _observation_to_change(session: Session, viewer: Viewer, observation_id: UUID) -> Row:
    observation = await visible_observation(session, viewer, observation_id)
    if viewer.role not in OBSERVERS or (viewer.role == "staff" and observation.author_staff_id != viewer.actor_id):
        raise Forbidden("forbidden", "Only the author or an administrator attaches a file to an observation.")
    return observation


async def start_observation_upload(session: Session, media: MediaTerms, viewer: Viewer, observation_id: UUID,
                                   file_name: str, now: datetime) -> PresignedUpload:
    observation = await _observation_to_change(session, viewer, observation_id)
    existing = await queries.observation_attachment(session, observation_id, lock=True)
    if existing is not None and existing.status == "ready":
        raise Conflict("attachment_exists", "This observation has its attachment already.")
    base = new_key(observation.organisation_id, "observations")
    upload = media.store.presign_upload(object_key(base, UPLOAD), _upload_bytes(), media.upload_lifetime)
    values = {"organisation_id": observation.organisation_id, "file_name": file_name, "media_base": base,
              "status": "pending", "upload_expires_at": now + media.upload_lifetime, "created_at": now}
    if existing is not None:  # a new try replaces an unconfirmed one; its objects go with the old deadline
        await media.store.delete_prefix(existing.media_base)
    await queries.put_observation_attachment(session, observation_id, values, replace=existing is not None)
    return upload


async def confirm_observation_upload(session: Session, processor: MediaProcessor, viewer: Viewer,
                                     observation_id: UUID, now: datetime) -> Row:
    await _observation_to_change(session, viewer, observation_id)
    attachment = await queries.observation_attachment(session, observation_id, lock=True)
    if attachment is None:
        raise NotFound("not_found", "No upload was started for this observation.")
    if attachment.status == "ready":
        return attachment
    if attachment.upload_expires_at < now:
        raise Conflict("upload_expired", "The upload was not confirmed in time; start a new one.")
    content_type, size = await _process(processor, attachment.media_base)
    return await queries.observation_attachment_ready(session, observation_id, content_type, size)


async def observation_download(session: Session, media: MediaTerms, viewer: Viewer, observation_id: UUID,
                               now: datetime) -> Download:
    await visible_observation(session, viewer, observation_id)
    attachment = await queries.observation_attachment(session, observation_id, ready=True)
    if attachment is None:
        raise NotFound("not_found", "This observation has no attachment.")
    return _download(media, attachment, now)


async def ready_observation_attachments(session: Session, observation_ids: list[UUID]) -> dict[UUID, Row]:
    return await queries.ready_observation_attachments(session, observation_ids)
