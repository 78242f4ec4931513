"""Items waiting for an account's daily digest mail, and marking them sent with the digest that listed them."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    DateTime,
    Identity,
    Table,
    Text,
    Uuid,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.models import metadata
from notifications.domain.inbox import InboxEntry

digest_items = Table(
    "digest_items",
    metadata,
    Column("digest_item_id", BigInteger, Identity(), primary_key=True),
    Column("account_id", Uuid, nullable=False),
    Column("organisation_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),
    Column("child_ids", ARRAY(Uuid), nullable=False),
    Column("params", JSONB, nullable=False),
    Column("link", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("digest_id", Uuid),
)


@dataclass(frozen=True)
class WaitingItem:
    digest_item_id: int
    organisation_id: UUID
    kind: str
    child_ids: tuple[UUID, ...]
    params: dict[str, Any]
    link: str
    created_at: datetime


async def add(session: AsyncSession, entry: InboxEntry, now: datetime) -> None:
    await session.execute(digest_items.insert().values(
        account_id=entry.account_id, organisation_id=entry.organisation_id, kind=entry.kind,
        child_ids=list(entry.child_ids), params=entry.params, link=entry.link, created_at=now))


async def accounts_waiting(session: AsyncSession) -> dict[UUID, datetime]:
    """Accounts with items waiting, and when the oldest arrived."""
    rows = await session.execute(select(digest_items.c.account_id, func.min(digest_items.c.created_at))
                                 .where(digest_items.c.digest_id.is_(None)).group_by(digest_items.c.account_id))
    return {row[0]: row[1] for row in rows}


async def waiting(session: AsyncSession, account_id: UUID, until: datetime) -> list[WaitingItem]:
    """Locked, so two instances never put the same items in two digests."""
    rows = await session.execute(
        select(digest_items.c.digest_item_id, digest_items.c.organisation_id, digest_items.c.kind,
               digest_items.c.child_ids, digest_items.c.params, digest_items.c.link, digest_items.c.created_at)
        .where(digest_items.c.account_id == account_id, digest_items.c.digest_id.is_(None),
               digest_items.c.created_at <= until)
        .order_by(digest_items.c.created_at).with_for_update(skip_locked=True))
    return [WaitingItem(r.digest_item_id, r.organisation_id, r.kind, tuple(r.child_ids), r.params, r.link,
                        r.created_at) for r in rows]


async def mark_listed(session: AsyncSession, item_ids: list[int], digest_id: UUID) -> None:
    await session.execute(update(digest_items).where(digest_items.c.digest_item_id.in_(item_ids))
                          .values(digest_id=digest_id))
