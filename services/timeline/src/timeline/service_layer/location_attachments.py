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
from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from timeline.db.location import location_item_attachments, observation_attachments
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


async def start_item_upload(session: AsyncSession, media: MediaTerms, viewer: Viewer, item_id: UUID,
                            file_name: str, now: datetime) -> tuple[UUID, PresignedUpload]:
    item = await managed_item(session, viewer, item_id, lock=True)
    if item.status == "withdrawn":
        raise Invalid("withdrawn", "A withdrawn item gets no attachments.")
    count = await session.scalar(select(func.count()).select_from(location_item_attachments).where(
        location_item_attachments.c.item_id == item_id))
    if (count or 0) >= MAX_PER_ITEM:
        raise Invalid("too_many_attachments", f"An item has at most {MAX_PER_ITEM} attachments.")
    base = new_key(item.organisation_id, "location")
    upload = media.store.presign_upload(object_key(base, UPLOAD), _upload_bytes(), media.upload_lifetime)
    attachment_id = uuid.uuid4()
    await session.execute(location_item_attachments.insert().values(
        attachment_id=attachment_id, item_id=item_id, organisation_id=item.organisation_id, file_name=file_name,
        media_base=base, status="pending", upload_expires_at=now + media.upload_lifetime, created_at=now))
    return attachment_id, upload


async def _process(processor: MediaProcessor, base: str) -> tuple[str, int]:
    try:
        processed = await processor.process(base, ACCEPTED)
    except MediaRefused as refusal:
        # The pipeline deleted the upload already; the pending row goes with the upload deadline.
        raise Invalid(refusal.code, refusal.message) from None
    return processed.original_type, processed.size_bytes


async def confirm_item_upload(session: AsyncSession, processor: MediaProcessor, viewer: Viewer, item_id: UUID,
                              attachment_id: UUID, now: datetime) -> Row:
    await managed_item(session, viewer, item_id)
    attachment = (await session.execute(select(location_item_attachments).where(
        location_item_attachments.c.attachment_id == attachment_id,
        location_item_attachments.c.item_id == item_id).with_for_update())).first()
    if attachment is None:
        raise NotFound("not_found", "No such attachment.")
    if attachment.status == "ready":
        return attachment  # confirming twice is harmless
    if attachment.upload_expires_at < now:
        raise Conflict("upload_expired", "The upload was not confirmed in time; start a new one.")
    content_type, size = await _process(processor, attachment.media_base)
    return (await session.execute(update(location_item_attachments).where(
        location_item_attachments.c.attachment_id == attachment_id).values(
        status="ready", content_type=content_type, size_bytes=size).returning(*location_item_attachments.c))).one()


def _download(media: MediaTerms, attachment: Row, now: datetime) -> Download:
    url = media.store.presign_download(object_key(attachment.media_base, ORIGINAL), media.url_lifetime,
                                       file_name=attachment.file_name)
    return Download(url, now + media.url_lifetime, attachment.file_name, attachment.content_type)


async def item_download(session: AsyncSession, media: MediaTerms, viewer: Viewer, item_id: UUID,
                        attachment_id: UUID, now: datetime) -> Download:
    """A signed URL of one ready attachment of an item the viewer may read; 404 otherwise."""
    await visible_item(session, viewer, item_id)
    attachment = (await session.execute(select(location_item_attachments).where(
        location_item_attachments.c.attachment_id == attachment_id, location_item_attachments.c.item_id == item_id,
        location_item_attachments.c.status == "ready"))).first()
    if attachment is None:
        raise NotFound("not_found", "No such attachment.")
    return _download(media, attachment, now)


async def _observation_to_change(session: AsyncSession, viewer: Viewer, observation_id: UUID) -> Row:
    observation = await visible_observation(session, viewer, observation_id)
    if viewer.role not in OBSERVERS or (viewer.role == "staff" and observation.author_staff_id != viewer.actor_id):
        raise Forbidden("forbidden", "Only the author or an administrator attaches a file to an observation.")
    return observation


async def start_observation_upload(session: AsyncSession, media: MediaTerms, viewer: Viewer, observation_id: UUID,
                                   file_name: str, now: datetime) -> PresignedUpload:
    observation = await _observation_to_change(session, viewer, observation_id)
    existing = (await session.execute(select(observation_attachments).where(
        observation_attachments.c.observation_id == observation_id).with_for_update())).first()
    if existing is not None and existing.status == "ready":
        raise Conflict("attachment_exists", "This observation has its attachment already.")
    base = new_key(observation.organisation_id, "observations")
    upload = media.store.presign_upload(object_key(base, UPLOAD), _upload_bytes(), media.upload_lifetime)
    values = {"organisation_id": observation.organisation_id, "file_name": file_name, "media_base": base,
              "status": "pending", "upload_expires_at": now + media.upload_lifetime, "created_at": now}
    if existing is not None:  # a new try replaces an unconfirmed one; its objects go with the old deadline
        await media.store.delete_prefix(existing.media_base)
        await session.execute(update(observation_attachments).where(
            observation_attachments.c.observation_id == observation_id).values(**values))
    else:
        await session.execute(observation_attachments.insert().values(observation_id=observation_id, **values))
    return upload


async def confirm_observation_upload(session: AsyncSession, processor: MediaProcessor, viewer: Viewer,
                                     observation_id: UUID, now: datetime) -> Row:
    await _observation_to_change(session, viewer, observation_id)
    attachment = (await session.execute(select(observation_attachments).where(
        observation_attachments.c.observation_id == observation_id).with_for_update())).first()
    if attachment is None:
        raise NotFound("not_found", "No upload was started for this observation.")
    if attachment.status == "ready":
        return attachment
    if attachment.upload_expires_at < now:
        raise Conflict("upload_expired", "The upload was not confirmed in time; start a new one.")
    content_type, size = await _process(processor, attachment.media_base)
    return (await session.execute(update(observation_attachments).where(
        observation_attachments.c.observation_id == observation_id).values(
        status="ready", content_type=content_type, size_bytes=size).returning(*observation_attachments.c))).one()


async def observation_download(session: AsyncSession, media: MediaTerms, viewer: Viewer, observation_id: UUID,
                               now: datetime) -> Download:
    await visible_observation(session, viewer, observation_id)
    attachment = (await session.execute(select(observation_attachments).where(
        observation_attachments.c.observation_id == observation_id,
        observation_attachments.c.status == "ready"))).first()
    if attachment is None:
        raise NotFound("not_found", "This observation has no attachment.")
    return _download(media, attachment, now)


async def ready_observation_attachments(session: AsyncSession, observation_ids: list[UUID]) -> dict[UUID, Row]:
    if not observation_ids:
        return {}
    rows = await session.execute(select(observation_attachments).where(
        observation_attachments.c.observation_id.in_(observation_ids), observation_attachments.c.status == "ready"))
    return {row.observation_id: row for row in rows}
