"""Request and response bodies of the messaging API."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from messaging.domain.conversations import MAX_SUBJECT, MAX_TEXT

# At least one character that is not white space (the domain trims white space and refuses what is left empty).
Text = Field(min_length=1, max_length=MAX_TEXT, pattern=r"\S",
             description=f"The message, at most {MAX_TEXT} characters.")
Subject = Field(min_length=1, max_length=MAX_SUBJECT, pattern=r"\S", description=f"At most {MAX_SUBJECT} characters.")


class ConversationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    child_id: UUID = Field(description="The child the conversation is about (of the caller's family, for parents).")
    group_id: UUID | None = Field(default=None, description="Needed when the child is placed in several groups.")
    subject: str = Subject
    text: str = Text
    attachment_ids: list[UUID] = Field(default_factory=list, max_length=5,
                                       description="Attachments uploaded before (photos, PDF).")


class GroupMessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    group_id: UUID
    subject: str = Subject
    text: str = Text
    attachment_ids: list[UUID] = Field(default_factory=list, max_length=5)


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Text
    attachment_ids: list[UUID] = Field(default_factory=list, max_length=5)


class AttachmentOut(BaseModel):
    attachment_id: UUID
    content_type: str
    size: int
    file_name: str | None = None


class MessageOut(BaseModel):
    message_id: UUID
    conversation_id: UUID
    sender_account_id: UUID
    sender_name: str
    sender_role: Literal["parent", "staff", "admin"]
    text: str
    sent_at: datetime
    attachments: list[AttachmentOut] = []

    @classmethod
    def of(cls, row: dict[str, Any]) -> "MessageOut":
        return cls.model_validate(_message_fields(row))


def _message_fields(row: Any, conversation_id: UUID | None = None) -> dict[str, Any]:
    return {"message_id": row["message_id"], "conversation_id": conversation_id or row["conversation_id"],
            "sender_account_id": row["sender_account_id"], "sender_name": row["sender_name"],
            "sender_role": row["sender_role"], "sent_at": row["sent_at"], "text": row["body"],
            # None: no attachments (the conversation page leaves an empty list undecoded).
            "attachments": row["attachments"] or ()}


_MESSAGE_PAGE = TypeAdapter(list[MessageOut])


def messages_out(rows: Iterable[Any], conversation_id: UUID | None = None) -> list[MessageOut]:
    """A page of message rows (of conversation `conversation_id`, when given: one id for all), validated in one
    call: a model built per message in Python cost ~2.5 us each, a fifth of opening a conversation of 200 (py-spy,
    PROFILE-read-paths.md round 6)."""
    return _MESSAGE_PAGE.validate_python([_message_fields(row, conversation_id) for row in rows])


class ConversationSummary(BaseModel):
    conversation_id: UUID
    subject: str
    child_id: UUID | None
    group_id: UUID | None
    family_id: UUID
    broadcast_id: UUID | None
    last_message_at: datetime
    last_sender_name: str | None
    preview: str
    unread: int
    activity: int = Field(description="Ordering key of the last activity; pass the last one as `before`.")


class ConversationListOut(BaseModel):
    items: list[ConversationSummary]
    unread_total: int = Field(description="Unread messages in all of the caller's conversations.")
    next_cursor: int | None = Field(description="`before` for the next page; null on the last page.")


class ConversationOut(BaseModel):
    conversation_id: UUID
    subject: str
    child_id: UUID | None
    group_id: UUID | None
    family_id: UUID
    broadcast_id: UUID | None
    created_at: datetime
    messages: list[MessageOut] = Field(description="Oldest first; the newest page unless `before` was given.")
    older_cursor: int | None = Field(description="`before` for older messages; null when this page is the first.")


class GroupMessageOut(BaseModel):
    broadcast_id: UUID
    group_id: UUID
    conversation_ids: list[UUID] = Field(description="One conversation per family of the group.")


class UploadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file_name: str = Field(min_length=1, max_length=200, pattern=r'^[^"\\/\x00-\x1f\x7f]+$',
                           description="Shown with the attachment and offered when it is downloaded.")


class PresignedUploadOut(BaseModel):
    url: str = Field(description="POST the form here: every field of `fields`, then the file as `file` (last).")
    fields: dict[str, str]
    max_bytes: int
    expires_at: datetime


class UploadOut(BaseModel):
    attachment_id: UUID
    upload: PresignedUploadOut


class DownloadOut(BaseModel):
    url: str = Field(description="A short-lived GET URL of this one file.")
    expires_at: datetime
    file_name: str
    content_type: str
