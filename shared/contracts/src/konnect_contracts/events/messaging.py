"""``messaging.messages.v1``: keyed by ``conversation_id``. Messages are immutable once sent."""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from konnect_contracts.common import UtcDatetime
from konnect_contracts.envelope import EventPayload


class MessageSent(EventPayload):
    EVENT_TYPE: ClassVar[str] = "MessageSent"
    TOPIC: ClassVar[str] = "messaging.messages.v1"
    KEY_FIELD: ClassVar[str] = "conversation_id"

    message_id: UUID
    conversation_id: UUID
    organisation_id: UUID
    child_id: UUID | None = None
    group_id: UUID | None = None
    sender_account_id: UUID
    sender_role: Literal["parent", "staff", "admin"]
    recipient_account_ids: tuple[UUID, ...]
    subject: str
    preview: str = Field(default="", description="Start of the text for notifications (may be empty).")
    sent_at: UtcDatetime
    # Added compatibly (optional): what a notification needs to say who wrote about what without a lookup.
    family_id: UUID | None = Field(default=None, description="The family the conversation is with.")
    sender_name: str | None = Field(default=None, description="Display name of the sender, as shown in the app.")
    attachment_count: int = Field(default=0, ge=0, description="Photos/PDFs attached to the message.")
    first_in_conversation: bool = Field(default=False, description="The message started the conversation.")
