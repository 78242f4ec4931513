"""A parent's private calendar feed: turned on (a new long random secret, shown once), revoked, and served
as iCalendar with the family's planned days from a few weeks back to a quarter ahead.

Planning serves it because it owns the agenda (planned parts, accepted extra days and swaps, absences, closing
days, the organisation's time zone); a copy elsewhere would lag behind every change a parent should see."""

import hashlib
import secrets
from datetime import datetime, timedelta
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden, NotFound
from konnect_kit.internal import Caller

from planning.db import calendar_feeds as feeds
from planning.domain.ics import render_feed
from planning.service_layer import calendar as cal

PAST_DAYS = 14
AHEAD_DAYS = 92


def _hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def _parent(who: Caller) -> UUID:
    if who.role != "parent":
        raise Forbidden("forbidden", "A calendar feed belongs to a parent's login.")
    return UUID(who.actor_id)


async def turn_on(session: Session, who: Caller) -> str:
    """A new secret (256 bits); any earlier URL of this parent stops working."""
    account = _parent(who)
    if await cal.family_of_account(session, account) is None:
        raise NotFound("not_found", "No family is known for this login yet.")
    secret = secrets.token_urlsafe(32)
    await feeds.replace(session, account, _hash(secret))
    return secret


async def status(session: Session, who: Caller) -> datetime | None:
    return await feeds.created_at(session, _parent(who))


async def revoke(session: Session, who: Caller) -> None:
    if not await feeds.revoke(session, _parent(who)):
        raise NotFound("not_found", "No calendar feed is turned on.")


async def feed(session: Session, secret: str, now: datetime) -> str:
    """The iCalendar text; NotFound for an unknown or revoked secret (or a parent without a family now)."""
    account = await feeds.account_of(session, _hash(secret)) if len(secret) <= 128 else None
    family_id = await cal.family_of_account(session, account) if account else None
    record = await cal.family(session, family_id) if family_id else None
    if record is None:
        raise NotFound("not_found", "No such calendar.")
    calendar = await cal.organisation_calendar(session, record.organisation_id)
    today = calendar.today(now)
    start, end = today - timedelta(days=PAST_DAYS), today + timedelta(days=AHEAD_DAYS)
    days = await cal.agenda_days(session, record.family_id, start, end)
    return render_feed(days, time_zone=calendar.time_zone, calendar_name="Konnect", stamp=now)
