"""Account-level notification settings: time zone, daily digest time, quiet hours for push, message previews."""

from dataclasses import dataclass
from datetime import datetime, time
from uuid import UUID

from sqlalchemy import Boolean, Column, DateTime, Table, Text, Time, Uuid, false, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.models import metadata

account_settings = Table(
    "account_settings",
    metadata,
    Column("account_id", Uuid, primary_key=True),
    Column("time_zone", Text, nullable=False),
    Column("digest_at", Time, nullable=False),
    Column("quiet_start", Time),
    Column("quiet_end", Time),
    Column("last_digest_at", DateTime(timezone=True)),
    Column("message_preview", Boolean, nullable=False, server_default=false()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

DEFAULT_TIME_ZONE = "Europe/Amsterdam"
DEFAULT_DIGEST_AT = time(18, 0)


@dataclass(frozen=True)
class AccountSettings:
    time_zone: str = DEFAULT_TIME_ZONE
    digest_at: time = DEFAULT_DIGEST_AT
    quiet_start: time | None = None  # no quiet hours unless the parent sets them
    quiet_end: time | None = None
    last_digest_at: datetime | None = None
    # The start of a message in its push and e-mail: off until the parent turns it on (lock screens, shared
    # mailboxes); the in-app inbox names sender and subject either way.
    message_preview: bool = False


async def settings_of(session: AsyncSession, account_ids: list[UUID]) -> dict[UUID, AccountSettings]:
    rows = await session.execute(select(*account_settings.c).where(account_settings.c.account_id.in_(account_ids)))
    found = {row.account_id: AccountSettings(row.time_zone, row.digest_at, row.quiet_start, row.quiet_end,
                                             row.last_digest_at, row.message_preview) for row in rows}
    return {account: found.get(account, AccountSettings()) for account in account_ids}


async def save(session: AsyncSession, account_id: UUID, *, time_zone: str, digest_at: time,
               quiet_start: time | None, quiet_end: time | None, message_preview: bool) -> None:
    values = {"time_zone": time_zone, "digest_at": digest_at, "quiet_start": quiet_start, "quiet_end": quiet_end,
              "message_preview": message_preview, "updated_at": func.now()}
    await session.execute(insert(account_settings).values(account_id=account_id, **values)
                          .on_conflict_do_update(index_elements=["account_id"], set_=values))


async def digest_sent(session: AsyncSession, account_id: UUID, at: datetime) -> None:
    updated = await session.execute(update(account_settings).where(account_settings.c.account_id == account_id)
                                    .values(last_digest_at=at))
    if not updated.rowcount:  # type: ignore[attr-defined]
        await session.execute(insert(account_settings).values(
            account_id=account_id, time_zone=DEFAULT_TIME_ZONE, digest_at=DEFAULT_DIGEST_AT, last_digest_at=at)
            .on_conflict_do_update(index_elements=["account_id"], set_={"last_digest_at": at}))
