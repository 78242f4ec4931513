"""Background sender: drains due deliveries from the queue over SMTP, with retries, backoff and a final 'failed'."""

import asyncio
import contextlib
import logging
from email.message import EmailMessage

import aiosmtplib
from aiosmtplib.errors import (
    SMTPConnectError,
    SMTPDataError,
    SMTPRecipientRefused,
    SMTPRecipientsRefused,
    SMTPServerDisconnected,
    SMTPTimeoutError,
)
from konnect_kit.db import Database
from konnect_kit.wakeup import Wakeup
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.deliveries import MAIL_CHANNEL, DueDelivery, claim_next_due, mark_failed, mark_retry, mark_sent
from notifications.domain.delivery import RetryPolicy
from notifications.mailer.message import build_message
from notifications.settings import Settings

log = logging.getLogger(__name__)


class SmtpTransport:
    """One SMTP connection, opened on demand and reused while a batch of due mail drains."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: aiosmtplib.SMTP | None = None

    async def send(self, message: EmailMessage) -> None:
        if self._client is None or not self._client.is_connected:
            s = self.settings
            client = aiosmtplib.SMTP(
                hostname=s.smtp_host, port=s.smtp_port, username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                start_tls=s.smtp_starttls, timeout=s.smtp_timeout_seconds,
            )
            await client.connect()  # logs in too when a username is set
            self._client = client
        await self._client.send_message(message)

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            with contextlib.suppress(Exception):  # closing a connection that already broke is fine
                await client.quit()

    def drop(self) -> None:
        """After an error the connection's state is unknown: forget it, the next send reconnects."""
        client, self._client = self._client, None
        if client is not None:
            client.close()


def is_permanent(exc: BaseException) -> bool:
    """A 5xx refusal of the recipient or the message will not change by retrying; everything else might."""
    if isinstance(exc, SMTPRecipientsRefused):
        return bool(exc.recipients) and all(r.code >= 500 for r in exc.recipients)
    if isinstance(exc, SMTPRecipientRefused | SMTPDataError):
        return exc.code >= 500
    return False


def is_relay_down(exc: BaseException) -> bool:
    """The relay itself is unreachable: trying the next mail in this pass would only fail the same way."""
    return isinstance(exc, SMTPConnectError | SMTPServerDisconnected | SMTPTimeoutError | OSError)


class MailSender:
    """Started and stopped with the app; several instances share the queue without sending a mail twice."""

    def __init__(self, database: Database, settings: Settings, transport: SmtpTransport | None = None) -> None:
        self.database = database
        self.settings = settings
        self.transport = transport or SmtpTransport(settings)
        self.policy = RetryPolicy(settings.mail_max_attempts, settings.mail_backoff_initial_seconds,
                                  settings.mail_backoff_max_seconds)
        self._stopping = asyncio.Event()
        self._wake = Wakeup(database.url, MAIL_CHANNEL)
        self._task: asyncio.Task[None] | None = None
        self.sent_total = 0
        self.failed_attempts_total = 0

    async def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="notifications-mail-sender")

    async def stop(self) -> None:
        """Graceful: the mail in hand is finished and recorded; nothing new is started."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self._wake.close()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.drain()
            except Exception:
                # Database briefly unreachable and the like: log, wait a poll interval, try again.
                log.exception("mail sender pass failed")
            if not self._stopping.is_set():
                await self._wake.wait(self.settings.mail_poll_seconds)

    async def drain(self) -> int:
        """Send every delivery due now, one transaction each; returns how many were attempted."""
        attempted = 0
        try:
            while not self._stopping.is_set():
                outcome = await self._attempt_next()
                if outcome is None:
                    break
                attempted += 1
                if not outcome:
                    break  # the relay is down: leave the rest for the next pass instead of hammering it
        finally:
            await self.transport.close()  # no idle connection held open between passes
        return attempted

    async def _attempt_next(self) -> bool | None:
        """None: nothing due. True: go on with the next one. False: the relay is down, stop this pass."""
        # The row lock is held while SMTP talks, so another instance skips this row; committing per mail
        # means a crash can at most resend the one mail that was in flight.
        async with self.database.transaction() as session:
            due = await claim_next_due(session)
            if due is None:
                return None
            try:
                await self.transport.send(self._message(due))
            except Exception as exc:  # any failure must count an attempt, or the row would loop hot
                self.transport.drop()
                self.failed_attempts_total += 1
                await self._record_failure(session, due, exc)
                return not is_relay_down(exc)
            else:
                await mark_sent(session, due.delivery_id)
                self.sent_total += 1
                log.info("mail sent", extra={"delivery_id": str(due.delivery_id), "attempt": due.attempts + 1})
        return True

    async def _record_failure(self, session: AsyncSession, due: DueDelivery, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        failed_attempts = due.attempts + 1
        delay = None if is_permanent(exc) else self.policy.delay_after(failed_attempts)
        if delay is None:
            await mark_failed(session, due.delivery_id, error=error)
            log.error("mail delivery failed for good",
                      extra={"delivery_id": str(due.delivery_id), "attempts": failed_attempts, "error": error})
        else:
            await mark_retry(session, due.delivery_id, error=error, delay_seconds=delay)
            log.warning("mail delivery failed, will retry",
                        extra={"delivery_id": str(due.delivery_id), "attempt": failed_attempts,
                               "retry_in_seconds": delay, "error": error})

    def _message(self, due: DueDelivery) -> EmailMessage:
        return build_message(delivery_id=due.delivery_id, mail_from=self.settings.mail_from,
                             recipient=due.recipient, language=due.language, subject=due.subject,
                             body_text=due.body_text, body_html=due.body_html)
