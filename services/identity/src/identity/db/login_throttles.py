"""Failed-login counter statements (the rules are identity.domain.throttle): read, lock, count, clear."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.accounts import login_throttles
from identity.domain.throttle import ThrottleState


@dataclass(frozen=True)
class Cleared:
    kind: str
    throttle_key: str
    failures: int


async def throttle_state(session: AsyncSession, key: str, *, lock: bool = False) -> ThrottleState | None:
    query = select(login_throttles).where(login_throttles.c.throttle_key == key)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    return ThrottleState(row.failures, row.last_failure_at, row.locked_until) if row else None


async def end_lock(session: AsyncSession, key: str, locked_until: datetime | None) -> bool:
    """Lift the lock that ran until `locked_until`; False when another attempt lifted (or changed) it first."""
    ended = await session.execute(update(login_throttles).where(
        login_throttles.c.throttle_key == key, login_throttles.c.locked_until == locked_until,
    ).values(locked_until=None))
    return bool(ended.rowcount)


async def save_throttle(session: AsyncSession, key: str, kind: str, state: ThrottleState) -> None:
    values = {"kind": kind, "failures": state.failures, "last_failure_at": state.last_failure_at,
              "locked_until": state.locked_until}
    await session.execute(insert(login_throttles).values(throttle_key=key, **values)
                          .on_conflict_do_update(index_elements=[login_throttles.c.throttle_key], set_=values))


async def clear_throttle(session: AsyncSession, key: str) -> None:
    await session.execute(login_throttles.delete().where(login_throttles.c.throttle_key == key))


async def clear_throttles_of(session: AsyncSession, email_hash: str) -> list[Cleared]:
    """Every counter of this address (e-mail-wide, per address pair, per device); returns what was cleared."""
    cleared = await session.execute(login_throttles.delete().where(or_(
        login_throttles.c.throttle_key == f"email:{email_hash}",
        login_throttles.c.throttle_key.startswith(f"pair:{email_hash}:", autoescape=True),
        login_throttles.c.throttle_key.startswith(f"device:{email_hash}:", autoescape=True),
    )).returning(login_throttles.c.throttle_key, login_throttles.c.kind, login_throttles.c.failures))
    return [Cleared(row.kind, row.throttle_key, row.failures) for row in cleared]
