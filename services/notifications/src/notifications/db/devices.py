"""Push devices: the FCM registration tokens a logged-in person's app registered, bound to that session."""

from collections import defaultdict
from datetime import datetime
from uuid import UUID, uuid5

from sqlalchemy import Column, DateTime, Index, PrimaryKeyConstraint, Table, Text, Uuid, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.models import metadata

push_devices = Table(
    "push_devices",
    metadata,
    Column("device_id", Uuid, nullable=False),
    Column("token", Text, nullable=False),
    Column("account_id", Uuid, nullable=False),
    # The session that registered it: when that session ends (logout, ...), the device gets no more pushes.
    Column("session_id", Uuid),
    Column("platform", Text, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # One app install (token) may hold sessions of several accounts (a parent at two organisations).
    PrimaryKeyConstraint("token", "account_id"),
    Index("push_devices_device_id", "device_id", unique=True),
    Index("push_devices_account", "account_id"),
    Index("push_devices_session", "session_id"),
)

# Sessions identity said have ended: an access token of such a session (valid until it expires) may no
# longer register a device, which would otherwise never be removed.
ended_sessions = Table(
    "ended_sessions",
    metadata,
    Column("session_id", Uuid, primary_key=True),
    Column("ended_at", DateTime(timezone=True), nullable=False),
)

_DEVICE_NAMESPACE = UUID("0c3a4f55-8d7e-4b8a-a6f1-52d8e1f0b7c2")


def device_id_for(token: str, account_id: UUID) -> UUID:
    """Stable: registering the same token for the same account again is the same device."""
    return uuid5(_DEVICE_NAMESPACE, f"{account_id}/{token}")


async def register_device(session: AsyncSession, *, token: str, account_id: UUID, session_id: UUID | None,
                          platform: str, keep_at_most: int) -> tuple[UUID, list[UUID]]:
    """Registers (or refreshes) the device; returns its id and the ids of the devices that made room for it.

    An account keeps at most `keep_at_most` devices: a new one takes the place of the one registered
    longest ago (the app registers again after every login, so that is the one used least recently). A
    parent with a new phone simply gets pushes there; a phone long gone stops getting them.
    """
    # One registration per account at a time, so two at once cannot both keep the count one too high.
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(f"push_devices:{account_id}", 0))))
    device_id = device_id_for(token, account_id)
    values = {"session_id": session_id, "platform": platform, "registered_at": func.now()}
    await session.execute(insert(push_devices).values(device_id=device_id, token=token, account_id=account_id,
                                                      **values)
                          .on_conflict_do_update(index_elements=["token", "account_id"], set_=values))
    others_kept = (select(push_devices.c.device_id)
                   .where(push_devices.c.account_id == account_id, push_devices.c.device_id != device_id)
                   .order_by(push_devices.c.registered_at.desc(), push_devices.c.device_id)
                   .limit(max(keep_at_most - 1, 0)))
    evicted = (await session.scalars(delete(push_devices).where(
        push_devices.c.account_id == account_id, push_devices.c.device_id != device_id,
        push_devices.c.device_id.not_in(others_kept)).returning(push_devices.c.device_id))).all()
    return device_id, list(evicted)


async def devices_of(session: AsyncSession, account_id: UUID) -> list[dict]:
    rows = await session.execute(select(push_devices.c.device_id, push_devices.c.platform,
                                        push_devices.c.registered_at)
                                 .where(push_devices.c.account_id == account_id)
                                 .order_by(push_devices.c.registered_at))
    return [dict(row._mapping) for row in rows]


async def tokens_of(session: AsyncSession, account_ids: list[UUID]) -> dict[UUID, list[str]]:
    rows = await session.execute(select(push_devices.c.account_id, push_devices.c.token)
                                 .where(push_devices.c.account_id.in_(account_ids))
                                 .order_by(push_devices.c.token))
    found: dict[UUID, list[str]] = defaultdict(list)
    for row in rows:
        found[row.account_id].append(row.token)
    return found


async def remove_device(session: AsyncSession, *, device_id: UUID, account_id: UUID) -> bool:
    result = await session.execute(delete(push_devices).where(push_devices.c.device_id == device_id,
                                                              push_devices.c.account_id == account_id))
    return bool(result.rowcount)


async def forget_sessions(session: AsyncSession, session_ids: list[UUID], ended_at: datetime) -> int:
    """Remember these sessions as ended and remove the devices they registered."""
    await session.execute(insert(ended_sessions).values([{"session_id": s, "ended_at": ended_at}
                                                         for s in session_ids]).on_conflict_do_nothing())
    result = await session.execute(delete(push_devices).where(push_devices.c.session_id.in_(session_ids)))
    return result.rowcount or 0


async def session_has_ended(session: AsyncSession, session_id: UUID) -> bool:
    return await session.scalar(select(ended_sessions.c.session_id)
                                .where(ended_sessions.c.session_id == session_id)) is not None


async def forget_token(session: AsyncSession, token: str) -> int:
    """The push service says this token is gone (app uninstalled): no account gets pushes on it any more."""
    result = await session.execute(delete(push_devices).where(push_devices.c.token == token))
    return result.rowcount or 0
