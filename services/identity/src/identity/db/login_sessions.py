"""Login session statements: sessions per device, their rotating refresh tokens, and ending them."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.accounts import refresh_tokens, sessions


@dataclass(frozen=True)
class LoginSession:
    session_id: UUID
    account_id: UUID
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True)
class RefreshToken:
    token_hash: bytes
    session_id: UUID
    rotated_at: datetime | None


async def open_session(session: AsyncSession, *, session_id: UUID, account_id: UUID, device_id: str | None,
                       moment: datetime) -> None:
    await session.execute(sessions.insert().values(session_id=session_id, account_id=account_id,
                                                   device_id=device_id, created_at=moment, last_used_at=moment))


async def add_refresh_token(session: AsyncSession, token_hash: bytes, session_id: UUID, moment: datetime) -> None:
    await session.execute(refresh_tokens.insert().values(token_hash=token_hash, session_id=session_id,
                                                         issued_at=moment))


async def refresh_token_to_use(session: AsyncSession, token_hash: bytes) -> RefreshToken | None:
    """The refresh token, locked until commit (two refreshes with one token run one after the other)."""
    row = (await session.execute(select(refresh_tokens.c.token_hash, refresh_tokens.c.session_id,
                                        refresh_tokens.c.rotated_at)
                                 .where(refresh_tokens.c.token_hash == token_hash).with_for_update())).first()
    return RefreshToken(**row._mapping) if row else None


async def session_of(session: AsyncSession, session_id: UUID, *, lock: bool = False) -> LoginSession | None:
    query = select(sessions.c.session_id, sessions.c.account_id, sessions.c.created_at, sessions.c.revoked_at
                   ).where(sessions.c.session_id == session_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    return LoginSession(**row._mapping) if row else None


async def rotate(session: AsyncSession, token_hash: bytes, session_id: UUID, moment: datetime) -> None:
    """The refresh token is used up; the session was used now."""
    await session.execute(update(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)
                          .values(rotated_at=moment))
    await session.execute(update(sessions).where(sessions.c.session_id == session_id).values(last_used_at=moment))


async def end_sessions(session: AsyncSession, session_ids: list[UUID], reason: str,
                       moment: datetime) -> list[tuple[UUID, UUID]]:
    """Ends those of these sessions still live; (session id, account id) of each one ended now."""
    ended = await session.execute(update(sessions).where(
        sessions.c.session_id.in_(session_ids), sessions.c.revoked_at.is_(None),
    ).values(revoked_at=moment, revoke_reason=reason).returning(sessions.c.session_id, sessions.c.account_id))
    return [(row.session_id, row.account_id) for row in ended]


async def live_sessions_of(session: AsyncSession, account_id: UUID, *, but: UUID | None = None) -> list[UUID]:
    """The account's sessions that have not ended (all but `but`, when given)."""
    query = select(sessions.c.session_id).where(sessions.c.account_id == account_id, sessions.c.revoked_at.is_(None))
    if but is not None:
        query = query.where(sessions.c.session_id != but)
    return list((await session.scalars(query)).all())


async def device_of(session: AsyncSession, session_id: UUID) -> str | None:
    return await session.scalar(select(sessions.c.device_id).where(sessions.c.session_id == session_id))


async def live_sessions_on(session: AsyncSession, device_id: str) -> list[UUID]:
    """Every account's live session on this device."""
    return list((await session.scalars(select(sessions.c.session_id).where(
        sessions.c.device_id == device_id, sessions.c.revoked_at.is_(None)))).all())


async def device_used_since(session: AsyncSession, account_ids: list[UUID], device_id: str, since: datetime) -> bool:
    """One of these logins opened a session on this device after `since`."""
    found = await session.scalar(select(sessions.c.session_id).where(
        sessions.c.device_id == device_id, sessions.c.account_id.in_(account_ids),
        sessions.c.created_at > since).limit(1))
    return found is not None
