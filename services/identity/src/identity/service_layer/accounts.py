"""Account use cases: invitation, login, sessions, password reset (see the functions' docstrings)."""

from typing import Literal
from uuid import UUID

from konnect_kit.outbox import Outbox
from sqlalchemy.ext.asyncio import AsyncSession

AccountRole = Literal["parent", "staff", "org_admin"]


async def ensure_account(
    session: AsyncSession,
    outbox: Outbox,
    *,
    account_id: UUID,
    organisation_id: UUID,
    role: AccountRole,
    email: str,
    display_name: str,
    language: str,
) -> None:
    """Make sure a login exists for this person; a new one (or one whose e-mail changed) gets an invitation.

    Called by the directory inside its own transaction whenever a parent or staff member with an
    e-mail address is upserted. Idempotent: the same data again sends no second invitation.
    """
    raise NotImplementedError("accounts are being built")
