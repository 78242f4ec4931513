"""The e-mail channel: SMTP transport and which SMTP failures are final or mean the relay is down."""

import contextlib
import time

import aiosmtplib
from aiosmtplib.errors import (
    SMTPConnectError,
    SMTPDataError,
    SMTPRecipientRefused,
    SMTPRecipientsRefused,
    SMTPSenderRefused,
    SMTPServerDisconnected,
    SMTPTimeoutError,
)
from konnect_kit.db import Database
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.deliveries import EMAIL, MAIL_CHANNEL, DueDelivery
from notifications.db.suppressions import suppress
from notifications.domain.delivery import RetryPolicy
from notifications.mailer.message import WireMessage, wire_message
from notifications.queue_worker import QueueWorker
from notifications.settings import Settings


class SmtpTransport:
    """One SMTP connection, opened on demand and kept open between passes for `smtp_idle_seconds`.

    Opening a session (TCP, greeting, EHLO, STARTTLS and login at a real relay) costs more than sending one
    mail, and a family's decision mail is due seconds after the last one; so a lane keeps its session.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: aiosmtplib.SMTP | None = None
        self._last_used = 0.0

    async def send(self, message: WireMessage) -> None:
        client = self._client if self._client is not None and self._client.is_connected else None
        if client is not None:
            try:
                await self._send_on(client, message)
                return
            except Exception as exc:
                if not _dropped_while_idle(exc):
                    raise
                # The relay closed the idle session as we began (its timeout raced ours). Nothing was
                # accepted on it, so the mail goes once on a new session instead of counting a failed attempt.
                self.drop()
        self._client = await self._connect()
        await self._send_on(self._client, message)

    async def _send_on(self, client: aiosmtplib.SMTP, message: WireMessage) -> None:
        await client.sendmail(message.sender, list(message.recipients), message.data)
        self._last_used = time.monotonic()

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host, port=s.smtp_port, username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            start_tls=s.smtp_starttls, timeout=s.smtp_timeout_seconds,
        )
        await client.connect()  # logs in too when a username is set
        return client

    @property
    def idle_too_long(self) -> bool:
        return self._client is not None and time.monotonic() - self._last_used >= self.settings.smtp_idle_seconds

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


def _dropped_while_idle(exc: BaseException) -> bool:
    """The session was gone before the relay took anything: disconnected, or 421 (closing) to the first command."""
    if isinstance(exc, SMTPServerDisconnected | ConnectionError):
        return True
    return isinstance(exc, SMTPSenderRefused) and exc.code == 421


def is_permanent(exc: BaseException) -> bool:
    """A 5xx refusal of the recipient or the message will not change by retrying; everything else might."""
    if isinstance(exc, SMTPRecipientsRefused):
        return bool(exc.recipients) and all(r.code >= 500 for r in exc.recipients)
    if isinstance(exc, SMTPRecipientRefused | SMTPDataError):
        return exc.code >= 500
    return False


def is_refused_recipient(exc: BaseException) -> bool:
    """The receiving side said this mailbox does not exist or takes no mail (5xx to RCPT TO)."""
    if isinstance(exc, SMTPRecipientsRefused):
        return bool(exc.recipients) and all(r.code >= 500 for r in exc.recipients)
    return isinstance(exc, SMTPRecipientRefused) and exc.code >= 500


def is_relay_down(exc: BaseException) -> bool:
    """The relay itself is unreachable: trying the next mail in this pass would only fail the same way."""
    return isinstance(exc, SMTPConnectError | SMTPServerDisconnected | SMTPTimeoutError | OSError)


class MailSender(QueueWorker):
    """The e-mail channel of the delivery queue, over SMTP."""

    channel = EMAIL
    wake_channel = MAIL_CHANNEL

    def __init__(self, database: Database, settings: Settings) -> None:
        super().__init__(database, RetryPolicy(settings.mail_max_attempts, settings.mail_backoff_initial_seconds,
                                               settings.mail_backoff_max_seconds), settings.mail_poll_seconds)
        self.settings = settings
        self.lanes = settings.mail_lanes
        self.transports = [SmtpTransport(settings) for _ in range(self.lanes)]  # one SMTP connection per lane

    async def deliver(self, due: DueDelivery, lane: int = 0) -> None:
        await self.transports[lane].send(wire_message(
            delivery_id=due.delivery_id, mail_from=self.settings.mail_from, recipient=due.recipient,
            language=due.language, subject=due.subject, body_text=due.body_text, body_html=due.body_html,
            sender_name=due.sender_name, reply_to=due.reply_to, unsubscribe_url=due.unsubscribe_url))

    def is_permanent(self, exc: BaseException) -> bool:
        return is_permanent(exc)

    def is_outage(self, exc: BaseException) -> bool:
        return is_relay_down(exc)

    def forget_connection(self, lane: int = 0) -> None:
        self.transports[lane].drop()

    async def after_final_failure(self, session: AsyncSession, due: DueDelivery, exc: BaseException) -> None:
        # A refused mailbox stays refused: stop mailing it (the parent sees why in their settings).
        if is_refused_recipient(exc):
            await suppress(session, due.recipient, reason="refused", detail=str(exc)[:500])

    async def end_of_pass(self, lane: int = 0) -> None:
        if self.settings.smtp_idle_seconds <= 0:
            await self.transports[lane].close()

    async def close_idle_connections(self) -> None:
        for transport in self.transports:
            if transport.idle_too_long:
                await transport.close()

    async def close_connections(self) -> None:
        for transport in self.transports:
            await transport.close()
