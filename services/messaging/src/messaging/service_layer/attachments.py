"""Attachments (photos, PDF): presigned upload straight to S3, confirm through the shared media pipeline, signed
download after the conversation's access check.

The file never passes through this service. Confirming runs konnect_kit.media in a worker process: the type
comes from the bytes (a PDF named .jpg is refused), the size is bounded (S3 refuses a bigger body already),
photos lose all metadata (GPS above all). A message names ready attachments of its sender; the message keeps
their description, immutable like the rest of it. A download URL lives minutes and is handed out only to
someone who may read a conversation with a message naming that attachment.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.domain_errors import Conflict, Invalid, NotFound
from konnect_kit.internal import Caller
from konnect_kit.media import (
    DEFAULT_LIMITS,
    DISPLAY,
    ORIGINAL,
    THUMBNAIL,
    UPLOAD,
    MediaProcessor,
    MediaRefused,
    MediaStore,
    PresignedUpload,
    new_key,
    object_key,
)

from messaging.db import attachments as db
from messaging.domain.attachments import require_claim_holds
from messaging.service_layer.conversations import Draft
from messaging.service_layer.participants import actor_of, readable_conversation, today

ACCEPTED = ("photo", "document")  # photos upright and without metadata; PDFs as sent
VARIANTS = {"original": ORIGINAL, "display": DISPLAY, "thumbnail": THUMBNAIL}


def _upload_bytes() -> int:
    return max(DEFAULT_LIMITS.max_bytes("document"), DEFAULT_LIMITS.max_bytes("photo"))


def describe(row: Any) -> dict[str, Any]:
    """What a message keeps of an attachment (JSON, immutable with the message)."""
    return {"attachment_id": str(row.attachment_id), "content_type": row.content_type, "size": row.size_bytes,
            "file_name": row.file_name}


async def start_upload(session: Session, store: MediaStore, who: Caller, file_name: str,
                       lifetime: timedelta) -> tuple[UUID, PresignedUpload]:
    actor = await actor_of(session, who)
    base = new_key(actor.organisation_id, "messages")
    upload = store.presign_upload(object_key(base, UPLOAD), _upload_bytes(), lifetime)
    attachment_id = uuid.uuid4()
    await db.insert_pending(session, attachment_id=attachment_id, organisation_id=actor.organisation_id,
                            account_id=actor.account_id, file_name=file_name, media_base=base,
                            upload_expires_at=upload.expires_at)
    return attachment_id, upload


async def confirm_upload(session: Session, store: MediaStore, processor: MediaProcessor, who: Caller,
                         attachment_id: UUID) -> Any:
    """Check the uploaded bytes (wrong type, too large, corrupt: refused, nothing kept); confirming twice is fine."""
    actor = await actor_of(session, who)
    row = await db.own_for_update(session, attachment_id, actor.account_id)
    if row is None:
        raise NotFound("not_found", "No such attachment.")
    if row.status == "ready":
        return row
    if row.upload_expires_at < datetime.now(UTC):
        raise Conflict("upload_expired", "The upload was not confirmed in time; start a new one.")
    try:
        processed = await processor.process(row.media_base, ACCEPTED)
    except MediaRefused as refusal:  # the pipeline deleted the upload already
        raise Invalid(refusal.code, refusal.message) from None
    try:
        require_claim_holds(row.file_name, processed.kind)
    except Invalid:
        await store.delete_prefix(row.media_base)  # nothing of a refused file is kept
        raise
    return await db.mark_ready(session, attachment_id, processed.original_type, processed.size_bytes)


async def drafted(session: Session, who: Caller, text: str, attachment_ids: list[UUID]) -> Draft:
    """The message as it will be stored: its text and the caller's own ready attachments it names."""
    if not attachment_ids:
        return Draft(text)
    if len(set(attachment_ids)) != len(attachment_ids):
        raise Invalid("duplicate_attachment", "An attachment is named twice.")
    actor = await actor_of(session, who)
    rows = await db.ready_of_account(session, attachment_ids, actor.account_id)
    missing = [str(a) for a in attachment_ids if a not in rows]
    if missing:
        raise Invalid("unknown_attachment", "No such confirmed attachment was uploaded by you.",
                      {"attachment_ids": missing})
    return Draft(text, tuple(describe(rows[a]) for a in attachment_ids))


@dataclass(frozen=True)
class Download:
    url: str
    expires_at: datetime
    file_name: str
    content_type: str


async def download(session: Session, store: MediaStore, who: Caller, conversation_id: UUID,
                   attachment_id: UUID, variant: str, lifetime: timedelta) -> Download:
    """A short-lived URL of an attachment of a message in a conversation the caller takes part in; 404 otherwise."""
    actor = await actor_of(session, who)
    await readable_conversation(session, actor, conversation_id, today())
    named = await db.named_in_conversation(session, conversation_id, attachment_id)
    row = await db.ready(session, attachment_id)
    if not named or row is None:
        raise NotFound("not_found", "No such attachment.")
    photo = (row.content_type or "").startswith("image/")
    if variant != "original" and not photo:
        raise NotFound("not_found", "Only photos have a display and a thumbnail variant.")
    url = store.presign_download(object_key(row.media_base, VARIANTS[variant]), lifetime,
                                 file_name=row.file_name if variant == "original" else None)
    return Download(url, datetime.now(UTC) + lifetime, row.file_name,
                    row.content_type if variant == "original" else "image/jpeg")



# An upload's deadline to confirm has passed this long ago: nothing can confirm it any more (confirming after the
# deadline is refused), so its objects and row go. The margin covers clocks of instances a little apart.
UNCONFIRMED_GRACE = timedelta(hours=1)


async def prune_unconfirmed(session: Session, store: MediaStore, now: datetime, batch: int) -> int:
    """One batch of uploads never confirmed: their objects first, then their rows (if the transaction fails after
    the objects went, the next pass deletes the rows; never rows first, which would orphan objects for ever)."""
    rows = await db.expired_pending(session, now - UNCONFIRMED_GRACE, batch)
    for row in rows:
        await store.delete_prefix(row.media_base)
    if rows:
        await db.delete_pending(session, [row.attachment_id for row in rows])
    return len(rows)
