"""``identity.accounts.v1``: account invitations and password resets, keyed by ``account_id``.

These payloads carry single-use secrets (tokens that go into e-mailed links). The topic MUST be
ACL-restricted: only identity may write and only notifications may read it. Never log payloads.
"""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import Field

from konnect_contracts.common import Language, UtcDatetime
from konnect_contracts.envelope import EventPayload

TOPIC = "identity.accounts.v1"


class AccountInvited(EventPayload):
    """A new account was created; the person gets a welcome e-mail with a one-time set-password link.

    ``invitation_token`` is a single-use secret to put in the link; the topic must be ACL-restricted.
    """

    EVENT_TYPE: ClassVar[str] = "AccountInvited"
    TOPIC: ClassVar[str] = TOPIC
    KEY_FIELD: ClassVar[str] = "account_id"

    account_id: UUID
    organisation_id: UUID
    family_id: UUID | None = None
    email: str
    display_name: str
    language: Language = "nl"
    invitation_token: str = Field(description="Single-use secret for the set-password link. Do not log.")
    expires_at: UtcDatetime


class PasswordResetRequested(EventPayload):
    """Someone asked to reset the password of a known account.

    ``reset_token`` is a single-use secret to put in the link; the topic must be ACL-restricted.
    """

    EVENT_TYPE: ClassVar[str] = "PasswordResetRequested"
    TOPIC: ClassVar[str] = TOPIC
    KEY_FIELD: ClassVar[str] = "account_id"

    account_id: UUID
    organisation_id: UUID
    email: str
    display_name: str
    language: Language = "nl"
    reset_token: str = Field(description="Single-use secret for the reset link. Do not log.")
    expires_at: UtcDatetime
