"""Calendar feed secrets: one per parent account, stored only as a SHA-256 hash (the URL is shown once)."""

from datetime import datetime
from uuid import UUID

from sqlalchemy import Column, DateTime, LargeBinary, Table, Uuid, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from planning.db.models import metadata

calendar_feeds = Table(
    "calendar_feeds",
    metadata,
    Column("account_id", Uuid, primary_key=True),
    Column("secret_hash", LargeBinary, nullable=False, unique=True),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


async def replace(session: AsyncSession, account_id: UUID, secret_hash: bytes) -> None:
    """A new secret for the account; the previous URL stops working at once."""
    values = {"secret_hash": secret_hash, "created_at": func.now()}
    await session.execute(insert(calendar_feeds).values(account_id=account_id, **values)
                          .on_conflict_do_update(index_elements=["account_id"], set_=values))


async def revoke(session: AsyncSession, account_id: UUID) -> bool:
    result = await session.execute(delete(calendar_feeds).where(calendar_feeds.c.account_id == account_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def created_at(session: AsyncSession, account_id: UUID) -> datetime | None:
    return await session.scalar(select(calendar_feeds.c.created_at).where(calendar_feeds.c.account_id == account_id))


async def account_of(session: AsyncSession, secret_hash: bytes) -> UUID | None:
    return await session.scalar(select(calendar_feeds.c.account_id)
                                .where(calendar_feeds.c.secret_hash == secret_hash))
