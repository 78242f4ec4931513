"""The logged-in person's own data: `/me` in one round trip, the account with its organisation, own edits."""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from konnect_contracts.events.access import AccountChanged
from konnect_kit.db import Reader, Session

from identity.db.logins import change_login, login_with_organisation
from identity.db.queries import AccountView, account_and_children
from identity.service_layer.accounts import ACCESS_EVENTS, now


@dataclass(frozen=True)
class Me:
    account: AccountView
    children: list[dict[str, Any]] = field(default_factory=list)


async def me(reader: Reader, session_id: UUID, account_id: UUID) -> Me | None:
    """The live session's account (with organisation and family) and, for a parent, the children; None
    when the session has ended. One round trip: this is the app's most frequent call."""
    found = await account_and_children(reader, session_id, account_id)
    if found is None:
        return None
    account, kids = found
    if account.role != "parent" or account.family_id is None:
        return Me(account)
    return Me(account, kids)


async def account_with_organisation(session: Session, account_id: UUID) -> AccountView:
    """The account with its organisation's name."""
    return await login_with_organisation(session, account_id)


async def change_account(session: Session, account_id: UUID, changes: dict[str, Any]) -> None:
    """Apply own edits (already validated) and tell the edges that keep answers about this account."""
    if not changes:
        return
    moment = now()
    row = await change_login(session, account_id, changes, moment)
    # Edges that keep this account's answers in memory (the gateway's /me) drop them on this event.
    await ACCESS_EVENTS.publish(session, AccountChanged(
        account_id=row.account_id, organisation_id=row.organisation_id, role=row.role,
        display_name=row.display_name, language=row.language, status=row.status, changed_at=moment),
        organisation_id=row.organisation_id)
