"""Notification preferences per account and item kind (a row only where someone changed the default: on)."""

from uuid import UUID

from sqlalchemy import Boolean, Column, DateTime, PrimaryKeyConstraint, Table, Text, Uuid, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.models import metadata
from notifications.domain.channels import DEFAULTS, KindChannels, effective

preferences = Table(
    "preferences",
    metadata,
    Column("account_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),
    Column("email", Boolean, nullable=False),
    Column("push", Boolean, nullable=False),
    Column("email_mode", Text),  # immediate | digest; None: the kind's default (domain.channels)
    Column("in_app", Boolean),  # None: the kind's default
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("account_id", "kind"),
)


async def preferences_of(session: AsyncSession, account_id: UUID) -> dict[str, KindChannels]:
    """The choice in force for each kind this account changed (others: the kind's default)."""
    rows = await session.execute(select(*preferences.c).where(preferences.c.account_id == account_id))
    return {row.kind: effective(row.kind, row.email, row.email_mode, row.push, row.in_app) for row in rows
            if row.kind in DEFAULTS}


async def channels_for(session: AsyncSession, account_ids: list[UUID], kind: str) -> dict[UUID, KindChannels]:
    """Every account's choice for one kind, defaults filled in."""
    rows = await session.execute(select(*preferences.c).where(preferences.c.account_id.in_(account_ids),
                                                              preferences.c.kind == kind))
    chosen = {row.account_id: effective(kind, row.email, row.email_mode, row.push, row.in_app) for row in rows}
    default = effective(kind, None, None, None, None)
    return {account: chosen.get(account, default) for account in account_ids}


async def save_preference(session: AsyncSession, account_id: UUID, kind: str, *, email: bool, push: bool,
                          email_mode: str | None = None, in_app: bool | None = None) -> None:
    values = {"email": email, "push": push, "email_mode": email_mode, "in_app": in_app, "updated_at": func.now()}
    await session.execute(insert(preferences).values(account_id=account_id, kind=kind, **values)
                          .on_conflict_do_update(index_elements=["account_id", "kind"], set_=values))
