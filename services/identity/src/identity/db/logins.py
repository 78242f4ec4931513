"""Login statements: a person's account per organisation (role, e-mail, password hash, status)."""

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.accounts import accounts
from identity.db.models import organisations
from identity.db.queries import ACCOUNT_VIEW_COLUMNS, AccountView


@dataclass(frozen=True)
class Login:
    account_id: UUID
    organisation_id: UUID
    role: str
    email: str
    email_normalized: str
    display_name: str
    language: str
    phone: str | None
    status: str  # invited | active | disabled
    password_hash: str | None
    password_changed_at: datetime | None


_COLUMNS = [accounts.c[f.name] for f in fields(Login)]


def _logins(rows: Any) -> list[Login]:
    return [Login(**row._mapping) for row in rows]


async def login_of(session: AsyncSession, account_id: UUID, organisation_id: UUID | None = None, *,
                   lock: bool = False) -> Login | None:
    """The login (of `organisation_id` only, when given); `lock`: held until commit."""
    query = select(*_COLUMNS).where(accounts.c.account_id == account_id)
    if organisation_id is not None:
        query = query.where(accounts.c.organisation_id == organisation_id)
    found = _logins(await session.execute(query.with_for_update() if lock else query))
    return found[0] if found else None


async def login_in_scope(session: AsyncSession, account_id: UUID, scope: Any) -> Login | None:
    """The login if its organisation lies inside `scope` (a `konnect_kit.tenancy` scope)."""
    found = _logins(await session.execute(select(*_COLUMNS).where(
        accounts.c.account_id == account_id, scope.clause(accounts.c.organisation_id))))
    return found[0] if found else None


async def email_used_by_other(session: AsyncSession, organisation_id: UUID, email_normalized: str,
                              account_id: UUID) -> bool:
    """Another login of this organisation already has this address."""
    return await session.scalar(select(accounts.c.account_id).where(
        accounts.c.organisation_id == organisation_id, accounts.c.email_normalized == email_normalized,
        accounts.c.account_id != account_id)) is not None


async def create_login(session: AsyncSession, **values: Any) -> bool:
    """Insert a new login; False when the id is already taken (by another organisation's login)."""
    created = await session.execute(insert(accounts).values(**values).on_conflict_do_nothing(
        index_elements=[accounts.c.account_id]).returning(accounts.c.account_id))
    return created.first() is not None


async def change_login(session: AsyncSession, account_id: UUID, changes: dict[str, Any], moment: datetime) -> Login:
    """Apply changes to the login; returns it as it is now."""
    [login] = _logins(await session.execute(update(accounts).where(accounts.c.account_id == account_id)
                                            .values(**changes, updated_at=moment).returning(*_COLUMNS)))
    return login


async def logins_with_email(session: AsyncSession, email_normalized: str, *, active_only: bool,
                            organisation_id: UUID | None = None) -> list[Login]:
    """Logins with this address: active ones only (a login attempt), or every one not disabled (a reset)."""
    query = select(*_COLUMNS).where(accounts.c.email_normalized == email_normalized)
    query = query.where(accounts.c.status == "active") if active_only else query.where(accounts.c.status != "disabled")
    if organisation_id is not None:
        query = query.where(accounts.c.organisation_id == organisation_id)
    return _logins(await session.execute(query))


async def organisations_of(session: AsyncSession, account_ids: list[UUID]) -> dict[UUID, UUID]:
    """account id → its organisation."""
    rows = await session.execute(select(accounts.c.account_id, accounts.c.organisation_id)
                                 .where(accounts.c.account_id.in_(account_ids)))
    return {row.account_id: row.organisation_id for row in rows}


async def login_with_organisation(session: AsyncSession, account_id: UUID) -> AccountView:
    """The login with its organisation's name."""
    row = (await session.execute(
        select(*ACCOUNT_VIEW_COLUMNS)
        .join(organisations, organisations.c.organisation_id == accounts.c.organisation_id, isouter=True)
        .where(accounts.c.account_id == account_id))).one()
    return AccountView(**row._mapping)
