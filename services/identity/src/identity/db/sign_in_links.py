"""Single-use links (invitation, password reset): stored as hashes, only the newest of a kind works."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.accounts import one_time_tokens


@dataclass(frozen=True)
class Link:
    token_hash: bytes
    account_id: UUID
    expires_at: datetime
    used_at: datetime | None
    superseded_at: datetime | None


async def replace_link(session: AsyncSession, *, account_id: UUID, purpose: str, token_hash: bytes,
                       moment: datetime, expires_at: datetime) -> None:
    """Store a new link; earlier unused links of this kind for this login stop working."""
    await session.execute(update(one_time_tokens).where(
        one_time_tokens.c.account_id == account_id, one_time_tokens.c.purpose == purpose,
        one_time_tokens.c.used_at.is_(None), one_time_tokens.c.superseded_at.is_(None),
    ).values(superseded_at=moment))
    await session.execute(one_time_tokens.insert().values(
        token_hash=token_hash, account_id=account_id, purpose=purpose, created_at=moment, expires_at=expires_at))


async def link_to_redeem(session: AsyncSession, token_hash: bytes, purpose: str) -> Link | None:
    """The link with this hash and purpose, locked until commit (two clicks cannot both use it)."""
    row = (await session.execute(select(
        one_time_tokens.c.token_hash, one_time_tokens.c.account_id, one_time_tokens.c.expires_at,
        one_time_tokens.c.used_at, one_time_tokens.c.superseded_at,
    ).where(one_time_tokens.c.token_hash == token_hash, one_time_tokens.c.purpose == purpose)
        .with_for_update())).first()
    return Link(**row._mapping) if row else None


async def mark_used(session: AsyncSession, token_hash: bytes, moment: datetime) -> None:
    await session.execute(update(one_time_tokens).where(one_time_tokens.c.token_hash == token_hash)
                          .values(used_at=moment))
