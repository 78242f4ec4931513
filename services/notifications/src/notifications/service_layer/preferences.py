"""A person's notification settings: per kind e-mail (off / immediately / daily digest), push and in-app;
per account the time zone, the digest time and quiet hours for push."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import time
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden, Invalid
from konnect_kit.internal import Caller

from notifications.db import account_settings as accounts
from notifications.db.account_settings import AccountSettings
from notifications.db.preferences import preferences_of, save_preference
from notifications.domain.channels import DEFAULTS, KindChannels
from notifications.domain.preferences import ITEM_KINDS


@dataclass(frozen=True)
class KindChoice:
    kind: str
    email: bool
    push: bool
    email_mode: str | None = None  # immediate | digest; None keeps the kind's default
    in_app: bool | None = None


def account_of(who: Caller) -> UUID:
    if who.role not in ("parent", "staff", "org_admin"):
        raise Forbidden("forbidden", "Notification settings belong to a person's login.")
    return UUID(who.actor_id)


async def settings(session: Session, account_id: UUID) -> list[tuple[str, KindChannels]]:
    """The choice in force for every item kind, in the catalogue's order."""
    chosen = await preferences_of(session, account_id)
    return [(kind, chosen.get(kind, DEFAULTS[kind])) for kind in ITEM_KINDS]


async def account_settings(session: Session, account_id: UUID) -> AccountSettings:
    return (await accounts.settings_of(session, [account_id]))[account_id]


async def change(session: Session, account_id: UUID, items: Iterable[KindChoice]) -> None:
    items = list(items)
    if len({item.kind for item in items}) != len(items):
        raise Invalid("duplicate_kind", "Each kind may appear once.")
    for item in items:
        await save_preference(session, account_id, item.kind, email=item.email, push=item.push,
                              email_mode=item.email_mode, in_app=item.in_app)


async def change_account(session: Session, account_id: UUID, *, time_zone: str | None, digest_at: time | None,
                         quiet: tuple[time, time] | None, clear_quiet: bool,
                         message_preview: bool | None = None) -> None:
    """Change what was given; the rest keeps its value."""
    current = await account_settings(session, account_id)
    if time_zone is not None:
        try:
            ZoneInfo(time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid("unknown_time_zone", "Not a time zone name (e.g. Europe/Amsterdam).",
                          {"time_zone": time_zone}) from None
    start, end = (None, None) if clear_quiet else (quiet or (current.quiet_start, current.quiet_end))
    if start is not None and start == end:
        raise Invalid("empty_quiet_hours", "Quiet hours need a start and an end that differ.")
    await accounts.save(session, account_id, time_zone=time_zone or current.time_zone,
                        digest_at=digest_at or current.digest_at, quiet_start=start, quiet_end=end,
                        message_preview=current.message_preview if message_preview is None else message_preview)
