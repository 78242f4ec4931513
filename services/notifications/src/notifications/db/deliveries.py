"""Mail queue statements: queue a delivery in the caller's transaction, claim due ones, record outcomes."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from konnect_kit.db import driver
from sqlalchemy import Interval, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.models import deliveries
from notifications.db.suppressions import Suppression, suppression_of
from notifications.domain.delivery import delivery_id_for
from notifications.domain.mail_texts import INVITATION, PASSWORD_RESET, RenderedMail
from notifications.domain.push_texts import RenderedPush

EMAIL = "email"


@dataclass(frozen=True)
class DueDelivery:
    delivery_id: UUID
    kind: str
    event_id: UUID
    account_id: UUID | None
    recipient: str
    language: str
    subject: str
    body_text: str
    body_html: str
    attempts: int
    sender_name: str | None = None
    reply_to: str | None = None
    unsubscribe_url: str | None = None


MAIL_CHANNEL = "notifications_mail"
PUSH = "push"
PUSH_CHANNEL = "notifications_push"


LOOK_UP: Any = object()  # `queue_email(suppressed=...)`: not read yet, read it here


async def queue_email(session: AsyncSession, *, event_id: UUID, recipient: str, mail: RenderedMail,
                      organisation_id: UUID | None, account_id: UUID | None,
                      suppressed: Suppression | None = LOOK_UP) -> bool:
    """Insert the delivery unless this event already queued one for this address; True if it is new.
    To an address that bounced or complained the delivery is logged as failed at once, and nothing is sent.
    `suppressed`: the address's suppression (or None) when the caller read it already in this transaction."""
    if suppressed is LOOK_UP:
        suppressed = await suppression_of(session, recipient)
    if suppressed is not None:
        await session.execute(insert(deliveries).values(
            delivery_id=delivery_id_for(event_id, EMAIL, recipient), event_id=event_id, kind=mail.kind,
            channel=EMAIL, organisation_id=organisation_id, account_id=account_id, recipient=recipient,
            language=mail.language, subject=mail.subject, body_text="", body_html="", status="failed",
            last_error=f"not sent: the address is suppressed ({suppressed.reason})").on_conflict_do_nothing())
        return False
    return await _queue(session, EMAIL, MAIL_CHANNEL, event_id=event_id, recipient=recipient, kind=mail.kind,
                        language=mail.language, subject=mail.subject, body_text=mail.text, body_html=mail.html,
                        organisation_id=organisation_id, account_id=account_id,
                        extra={"sender_name": mail.sender_name, "reply_to": mail.reply_to,
                               "unsubscribe_url": mail.unsubscribe_url})


async def queue_push(session: AsyncSession, *, event_id: UUID, device_token: str, push: RenderedPush,
                     organisation_id: UUID | None, account_id: UUID) -> bool:
    """Insert the push delivery unless this event already queued one for this device; True if it is new."""
    return await _queue(session, PUSH, PUSH_CHANNEL, event_id=event_id, recipient=device_token, kind=push.kind,
                        language=push.language, subject=push.title, body_text=push.body, body_html="",
                        organisation_id=organisation_id, account_id=account_id)


async def _queue(session: AsyncSession, channel: str, wake_channel: str, *, event_id: UUID, recipient: str,
                 kind: str, language: str, subject: str, body_text: str, body_html: str,
                 organisation_id: UUID | None, account_id: UUID | None, extra: dict[str, Any] | None = None) -> bool:
    extra = extra or {}
    queued = await (await driver(session)).fetchval(
        _QUEUE_AND_WAKE, delivery_id_for(event_id, channel, recipient), event_id, kind, channel, organisation_id,
        account_id, recipient, language, subject, body_text, body_html, extra.get("sender_name"),
        extra.get("reply_to"), extra.get("unsubscribe_url"), wake_channel)
    return queued is not None


# The row and the sender's wake-up (NOTIFY, delivered at commit) in one statement, not two round trips; a
# duplicate's NOTIFY only makes the sender look and find nothing new. Driver-level text, prepared once per
# connection: as a SQLAlchemy clause (a SELECT of literals) building and compiling it cost more CPU than the
# round trip it saved.
_QUEUE_AND_WAKE = (
    f"INSERT INTO {deliveries.name} (delivery_id, event_id, kind, channel, organisation_id, account_id, recipient, "
    "language, subject, body_text, body_html, sender_name, reply_to, unsubscribe_url) "
    "SELECT $1::uuid, $2::uuid, $3::text, $4::text, $5::uuid, $6::uuid, $7::text, $8::text, $9::text, $10::text, "
    "$11::text, $12::text, $13::text, $14::text FROM pg_notify($15::text, '') "
    "ON CONFLICT DO NOTHING RETURNING delivery_id"
)


async def claim_next_due(session: AsyncSession, channel: str, now: datetime | None = None) -> DueDelivery | None:
    """Lock one due pending delivery of `channel`; rows another instance holds are skipped (nothing goes twice).
    `now` is the app's clock where one is injected (held pushes wait for it); else the database's."""
    row = await (await driver(session)).fetchrow(_CLAIM_NEXT_DUE, channel, now)
    return DueDelivery(*row) if row else None


# Driver-level, on the sender's own unit of work (konnect_kit.db.driver): every pass of every lane claims (the last
# claim of a pass finds nothing), and built as a SQLAlchemy clause per call the claim and `mark_sent` cost the mail
# sender about a millisecond of CPU per mail, on the request saga's path (bench/PROFILE-read-paths.md, round 18).
_CLAIM_NEXT_DUE = (
    f"SELECT {', '.join(DueDelivery.__dataclass_fields__)} FROM {deliveries.name} "
    "WHERE channel = $1::text AND status = 'pending' AND next_attempt_at <= coalesce($2::timestamptz, now()) "
    "ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED"
)

# Mails whose body holds a single-use link (a secret): once the mail is out (or given up on), the body
# is emptied so the secret does not rest in this table; kind, recipient, subject and times stay for support.
KINDS_WITH_SECRETS = (INVITATION, PASSWORD_RESET)


# The scrub, in both statements that end a delivery (sent, given up on): a kind with a secret keeps no body.
_SCRUBBED_IF_SECRET = ("body_text = CASE WHEN kind = ANY($2::text[]) THEN '' ELSE body_text END, "
                       "body_html = CASE WHEN kind = ANY($2::text[]) THEN '' ELSE body_html END")


async def mark_sent(session: AsyncSession, delivery_id: UUID) -> None:
    await (await driver(session)).execute(_MARK_SENT, delivery_id, list(KINDS_WITH_SECRETS))


_MARK_SENT = (f"UPDATE {deliveries.name} SET status = 'sent', attempts = attempts + 1, sent_at = now(), "
              f"last_error = NULL, {_SCRUBBED_IF_SECRET} WHERE delivery_id = $1::uuid")


async def mark_retry(session: AsyncSession, delivery_id: UUID, *, error: str, delay_seconds: float) -> None:
    await session.execute(
        update(deliveries).where(deliveries.c.delivery_id == delivery_id)
        .values(attempts=deliveries.c.attempts + 1, last_error=error,
                # Database clock, like the claim's `<= now()`: instances with skewed clocks still agree.
                next_attempt_at=func.now() + literal(timedelta(seconds=delay_seconds), Interval))
    )


async def mark_failed(session: AsyncSession, delivery_id: UUID, *, error: str) -> None:
    await (await driver(session)).execute(_MARK_FAILED, delivery_id, list(KINDS_WITH_SECRETS), error)


_MARK_FAILED = (f"UPDATE {deliveries.name} SET status = 'failed', attempts = attempts + 1, last_error = $3::text, "
                f"{_SCRUBBED_IF_SECRET} WHERE delivery_id = $1::uuid")


async def deliveries_to(session: AsyncSession, recipient: str, *, limit: int, columns: Iterable[str],
                        organisation_id: UUID | None) -> list[dict[str, Any]]:
    """The newest deliveries to `recipient` (case-insensitive), only `columns`; of one organisation if given."""
    query = (select(*[deliveries.c[name] for name in columns])
             .where(func.lower(deliveries.c.recipient) == recipient.strip().lower())
             .order_by(deliveries.c.created_at.desc()).limit(limit))
    if organisation_id is not None:
        query = query.where(deliveries.c.organisation_id == organisation_id)
    return [dict(row) for row in (await session.execute(query)).mappings().all()]


@dataclass(frozen=True)
class HeldPush:
    delivery_id: UUID
    kind: str
    count: int


async def hold_push(session: AsyncSession, *, event_id: UUID, device_token: str, push: RenderedPush,
                    organisation_id: UUID | None, account_id: UUID, due_at: datetime, collapse_key: str
                    ) -> HeldPush:
    """Queue a push due at `due_at`, or join the pending one with the same collapse key for this device (a burst,
    or the quiet-hours summary): the caller re-renders its text from the returned kind and count."""
    pending = (await session.execute(
        select(deliveries.c.delivery_id, deliveries.c.kind, deliveries.c.collapsed_count)
        .where(deliveries.c.recipient == device_token, deliveries.c.collapse_key == collapse_key,
               deliveries.c.status == "pending", deliveries.c.channel == PUSH)
        .with_for_update())).first()
    if pending is None:
        delivery_id = delivery_id_for(event_id, PUSH, device_token)
        await session.execute(insert(deliveries).values(
            delivery_id=delivery_id, event_id=event_id, kind=push.kind, channel=PUSH,
            organisation_id=organisation_id, account_id=account_id, recipient=device_token, language=push.language,
            subject=push.title, body_text=push.body, body_html="", next_attempt_at=due_at,
            collapse_key=collapse_key).on_conflict_do_nothing())
        return HeldPush(delivery_id, push.kind, 1)
    kind = pending.kind if pending.kind == push.kind else "summary"
    return HeldPush(pending.delivery_id, kind, pending.collapsed_count + 1)


async def retext_push(session: AsyncSession, held: HeldPush, push: RenderedPush) -> None:
    await session.execute(update(deliveries).where(deliveries.c.delivery_id == held.delivery_id).values(
        kind=held.kind, collapsed_count=held.count, subject=push.title, body_text=push.body))
