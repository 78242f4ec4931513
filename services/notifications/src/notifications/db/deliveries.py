"""Mail queue statements: queue a delivery in the caller's transaction, claim due ones, record outcomes."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from konnect_kit.wakeup import notify
from sqlalchemy import Interval, case, func, literal, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.models import deliveries
from notifications.domain.delivery import delivery_id_for
from notifications.domain.mail_texts import INVITATION, PASSWORD_RESET, RenderedMail

EMAIL = "email"


@dataclass(frozen=True)
class DueDelivery:
    delivery_id: UUID
    recipient: str
    language: str
    subject: str
    body_text: str
    body_html: str
    attempts: int


MAIL_CHANNEL = "notifications_mail"


async def queue_email(session: AsyncSession, *, event_id: UUID, recipient: str, mail: RenderedMail,
                      organisation_id: UUID | None, account_id: UUID | None) -> bool:
    """Insert the delivery unless this event already queued one for this address; True if it is new."""
    delivery_id = delivery_id_for(event_id, EMAIL, recipient)
    result = await session.execute(
        insert(deliveries).values(
            delivery_id=delivery_id, event_id=event_id, kind=mail.kind, channel=EMAIL,
            organisation_id=organisation_id, account_id=account_id, recipient=recipient,
            language=mail.language, subject=mail.subject, body_text=mail.text, body_html=mail.html,
        ).on_conflict_do_nothing().returning(deliveries.c.delivery_id)
    )
    queued = result.first() is not None
    if queued:
        await notify(session, MAIL_CHANNEL)  # the sender wakes at commit instead of at its next poll
    return queued


async def claim_next_due(session: AsyncSession) -> DueDelivery | None:
    """Lock one due pending delivery; rows another instance holds are skipped, so no mail goes out twice."""
    row = (await session.execute(
        select(deliveries.c.delivery_id, deliveries.c.recipient, deliveries.c.language, deliveries.c.subject,
               deliveries.c.body_text, deliveries.c.body_html, deliveries.c.attempts)
        .where(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= func.now())
        .order_by(deliveries.c.next_attempt_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )).first()
    return DueDelivery(**row._mapping) if row else None


# Mails whose body holds a single-use link (a secret): once the mail is out (or given up on), the body
# is emptied so the secret does not rest in this table; kind, recipient, subject and times stay for support.
KINDS_WITH_SECRETS = (INVITATION, PASSWORD_RESET)


def _scrubbed_if_secret() -> dict[str, Any]:
    secret = deliveries.c.kind.in_(KINDS_WITH_SECRETS)
    return {"body_text": case((secret, ""), else_=deliveries.c.body_text),
            "body_html": case((secret, ""), else_=deliveries.c.body_html)}


async def mark_sent(session: AsyncSession, delivery_id: UUID) -> None:
    await session.execute(
        update(deliveries).where(deliveries.c.delivery_id == delivery_id)
        .values(status="sent", attempts=deliveries.c.attempts + 1, sent_at=func.now(), last_error=None,
                **_scrubbed_if_secret())
    )


async def mark_retry(session: AsyncSession, delivery_id: UUID, *, error: str, delay_seconds: float) -> None:
    await session.execute(
        update(deliveries).where(deliveries.c.delivery_id == delivery_id)
        .values(attempts=deliveries.c.attempts + 1, last_error=error,
                # Database clock, like the claim's `<= now()`: instances with skewed clocks still agree.
                next_attempt_at=func.now() + literal(timedelta(seconds=delay_seconds), Interval))
    )


async def mark_failed(session: AsyncSession, delivery_id: UUID, *, error: str) -> None:
    await session.execute(
        update(deliveries).where(deliveries.c.delivery_id == delivery_id)
        .values(status="failed", attempts=deliveries.c.attempts + 1, last_error=error, **_scrubbed_if_secret())
    )

