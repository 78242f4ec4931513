"""Addresses mail is no longer sent to: bounced, refused by the receiving server, or reported as spam."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, DateTime, Table, Text, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.models import metadata

email_suppressions = Table(
    "email_suppressions",
    metadata,
    Column("address", Text, primary_key=True),  # lower-cased: the same mailbox however it is spelled
    Column("reason", Text, nullable=False),  # bounced | complained | refused
    Column("detail", Text),
    Column("since", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


@dataclass(frozen=True)
class Suppression:
    address: str
    reason: str
    detail: str | None
    since: datetime


def _key(address: str) -> str:
    return address.strip().lower()


async def suppress(session: AsyncSession, address: str, *, reason: str, detail: str | None) -> None:
    """Mark the address; a later report replaces the reason (a complaint after a bounce says more)."""
    values = {"reason": reason, "detail": detail}
    await session.execute(insert(email_suppressions).values(address=_key(address), **values)
                          .on_conflict_do_update(index_elements=["address"], set_=values))


async def suppression_of(session: AsyncSession, address: str) -> Suppression | None:
    row = (await session.execute(select(*email_suppressions.c)
                                 .where(email_suppressions.c.address == _key(address)))).first()
    return Suppression(**row._mapping) if row else None


async def lift(session: AsyncSession, address: str) -> None:
    await session.execute(delete(email_suppressions).where(email_suppressions.c.address == _key(address)))


async def suppressed_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(email_suppressions)) or 0)
