"""Request and response bodies of the messaging API."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from konnect_kit.answers import written_list
from pydantic import BaseModel, ConfigDict, Field

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


# -- the conversation page's JSON, written without building models ------------------------------------------------
# Opening a conversation of 200 messages spent a third of messaging's CPU validating rows it had just read into
# MessageOut models, only to write them out again (py-spy under bench/read_paths, PROFILE-read-paths.md round 8).
# The rows go to JSON as they are (konnect_kit.answers). ConversationOut stays the documented answer:
# tests/test_messaging_page_json.py checks that both write the same bytes for the same page.

def conversation_page(conversation: dict[str, Any], answers: Iterable[str], older_cursor: int | None
                      ) -> dict[str, Any]:
    """ConversationOut's content, in its field order, for a conversation (its columns) and a page of messages
    (oldest first, each its stored answer: MessageOut's JSON), for `konnect_kit.answers`."""
    conversation_id = conversation["conversation_id"]
    return {"conversation_id": conversation_id, "subject": conversation["subject"],
            "child_id": conversation["child_id"], "group_id": conversation["group_id"],
            "family_id": conversation["family_id"], "broadcast_id": conversation["broadcast_id"],
            "created_at": conversation["created_at"],
            "messages": written_list(answers), "older_cursor": older_cursor}


def conversation_list(rows: Iterable[Any], unread_total: int, next_cursor: int | None) -> dict[str, Any]:
    """ConversationListOut's content, in its field order, for a page of the list statement's rows, for
    `konnect_kit.answers` (tests/test_messaging_page_json.py checks it against the model too)."""
    return {"items": [{"conversation_id": row["conversation_id"], "subject": row["subject"],
                       "child_id": row["child_id"], "group_id": row["group_id"], "family_id": row["family_id"],
                       "broadcast_id": row["broadcast_id"], "last_message_at": row["last_message_at"],
                       "last_sender_name": row["last_sender_name"], "preview": row["last_preview"],
                       "unread": row["unread"], "activity": row["last_seq"]} for row in rows],
            "unread_total": unread_total, "next_cursor": next_cursor}
