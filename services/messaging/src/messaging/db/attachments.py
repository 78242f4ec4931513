"""Attachment rows (`message_attachments`) and the lookup of the message that names one; pruning of uploads
never confirmed."""

from datetime import datetime
from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from sqlalchemy import cast, delete, literal, select, update
from sqlalchemy.dialects.postgresql import JSONB

from messaging.db.models import message_attachments, messages

a = message_attachments.c


async def insert_pending(session: Session, *, attachment_id: UUID, organisation_id: UUID, account_id: UUID,
                         file_name: str, media_base: str, upload_expires_at: datetime) -> None:
    await session.execute(message_attachments.insert().values(
        attachment_id=attachment_id, organisation_id=organisation_id, account_id=account_id, file_name=file_name,
        media_base=media_base, upload_expires_at=upload_expires_at))


async def own_for_update(session: Session, attachment_id: UUID, account_id: UUID) -> Any:
    """The account's own upload, locked (a second confirm waits for the first)."""
    return (await session.execute(select(message_attachments).where(
        a.attachment_id == attachment_id, a.account_id == account_id).with_for_update())).first()


async def mark_ready(session: Session, attachment_id: UUID, content_type: str, size_bytes: int) -> Any:
    return (await session.execute(update(message_attachments).where(a.attachment_id == attachment_id).values(
        status="ready", content_type=content_type, size_bytes=size_bytes)
        .returning(*message_attachments.c))).one()


async def ready_of_account(session: Session, attachment_ids: list[UUID], account_id: UUID) -> dict[UUID, Any]:
    rows = (await session.execute(select(message_attachments).where(
        a.attachment_id.in_(attachment_ids), a.account_id == account_id, a.status == "ready"))).all()
    return {row.attachment_id: row for row in rows}


async def ready(session: Session, attachment_id: UUID) -> Any:
    return (await session.execute(select(message_attachments).where(
        a.attachment_id == attachment_id, a.status == "ready"))).first()


async def named_in_conversation(session: Session, conversation_id: UUID, attachment_id: UUID) -> bool:
    """Whether a message of this conversation carries this attachment (the GIN index on `attachments`)."""
    named = await session.scalar(select(messages.c.message_id).where(
        messages.c.conversation_id == conversation_id,
        messages.c.attachments.contains(cast(literal([{"attachment_id": str(attachment_id)}], JSONB), JSONB)))
        .limit(1))
    return named is not None


async def expired_pending(session: Session, before: datetime, limit: int) -> list[Any]:
    """Uploads still pending whose deadline to confirm passed before `before`, locked (another instance skips
    them). A confirmed (`ready`) attachment is never among them, whether a message names it or not."""
    return list((await session.execute(select(a.attachment_id, a.media_base).where(
        a.status == "pending", a.upload_expires_at < before)
        .order_by(a.upload_expires_at).limit(limit).with_for_update(skip_locked=True))).all())


async def delete_pending(session: Session, attachment_ids: list[UUID]) -> None:
    # `status = 'pending'` again: a row confirmed meanwhile would have been locked, but the rule stays visible.
    await session.execute(delete(message_attachments).where(a.attachment_id.in_(attachment_ids),
                                                            a.status == "pending"))
