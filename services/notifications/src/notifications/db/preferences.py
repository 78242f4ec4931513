"""Notification preferences per account and item kind (a row only where someone changed the default: on)."""

from typing import Literal
from uuid import UUID

from sqlalchemy import Boolean, Column, DateTime, PrimaryKeyConstraint, Table, Text, Uuid, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.models import metadata

preferences = Table(
    "preferences",
    metadata,
    Column("account_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),
    Column("email", Boolean, nullable=False),
    Column("push", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("account_id", "kind"),
)


async def preferences_of(session: AsyncSession, account_id: UUID) -> dict[str, tuple[bool, bool]]:
    rows = await session.execute(select(preferences.c.kind, preferences.c.email, preferences.c.push)
                                 .where(preferences.c.account_id == account_id))
    return {row.kind: (row.email, row.push) for row in rows}


async def save_preference(session: AsyncSession, account_id: UUID, kind: str, *, email: bool, push: bool) -> None:
    values = {"email": email, "push": push, "updated_at": func.now()}
    await session.execute(insert(preferences).values(account_id=account_id, kind=kind, **values)
                          .on_conflict_do_update(index_elements=["account_id", "kind"], set_=values))


async def wants(session: AsyncSession, account_ids: list[UUID], kind: str, channel: Literal["email", "push"]
                ) -> set[UUID]:
    """Of these accounts, those who did not switch this channel off for this kind."""
    column = preferences.c.email if channel == "email" else preferences.c.push
    off = await session.scalars(select(preferences.c.account_id).where(
        preferences.c.account_id.in_(account_ids), preferences.c.kind == kind, column.is_(False)))
    return set(account_ids) - set(off)
