"""``identity.access.v1``: who may still see what — ended sessions and changed accounts, keyed by ``account_id``.

No secrets travel here. The gateway reads this topic to refuse an ended session's access tokens on
every route at once; other consumers may use it to react to logouts (e.g. stop push messages to a
device).
"""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from konnect_contracts.common import Language, UtcDatetime
from konnect_contracts.envelope import EventPayload

TOPIC = "identity.access.v1"

SessionEndReason = Literal[
    "logout", "logout_all", "logout_device", "refresh_token_reuse", "password_changed", "password_reset",
    "account_disabled",
]


class SessionsEnded(EventPayload):
    """Sessions of one account ended; access tokens of these sessions must no longer be honoured."""

    EVENT_TYPE: ClassVar[str] = "SessionsEnded"
    TOPIC: ClassVar[str] = TOPIC
    KEY_FIELD: ClassVar[str] = "account_id"

    account_id: UUID
    organisation_id: UUID
    session_ids: list[UUID] = Field(min_length=1)
    reason: SessionEndReason
    ended_at: UtcDatetime


class AccountChanged(EventPayload):
    """The account's own data (name, language, phone, status) changed; carries its current state."""

    EVENT_TYPE: ClassVar[str] = "AccountChanged"
    TOPIC: ClassVar[str] = TOPIC
    KEY_FIELD: ClassVar[str] = "account_id"

    account_id: UUID
    organisation_id: UUID
    role: Literal["org_admin", "staff", "parent"]
    display_name: str
    language: Language = "nl"
    status: Literal["invited", "active", "disabled"]
    changed_at: UtcDatetime
