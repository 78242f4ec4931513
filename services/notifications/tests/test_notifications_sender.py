"""The mail queue under failure: SMTP down, retries with backoff, giving up, N senders on one queue, lanes."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from konnect_contracts.events.accounts import AccountInvited
from konnect_devstack.pytest_plugin import eventually, running_app
from konnect_kit.consumer import EventContext
from konnect_kit.db import Database
from konnect_kit.outbox import Outbox
from notifications.db.deliveries import queue_email
from notifications.domain.mail_texts import render_invitation
from notifications.handlers.accounts import handlers
from notifications.mailer.sender import MailSender
from notifications.main import create_app


async def delivery_of(env: Any, address: str) -> dict[str, Any] | None:
    rows = await env.fetch("SELECT status, attempts, last_error, next_attempt_at FROM deliveries "
                           "WHERE recipient = $1", address)
    return dict(rows[0]) if rows else None


async def test_smtp_down_keeps_the_mail_pending_then_sends_it_when_smtp_is_back(notifications_env, mailpit) -> None:
    env = notifications_env
    address = env.address()
    event = env.invited(address)
    await env.publish(env.wrap(event))

    down = create_app(env.settings(smtp_port=env.closed_port(), mail_backoff_initial_seconds=0.5))
    async with running_app(down):
        row = await eventually(lambda: _failed_once(env, address))
    assert row["status"] == "pending"
    assert "SMTPConnect" in row["last_error"] or "refused" in row["last_error"].lower()
    assert mailpit.messages_to(address) == []

    # A restart with a reachable relay, same database and consumer group: the queued mail goes out.
    up = create_app(env.settings())
    async with running_app(up):
        found = await eventually(lambda: mailpit.messages_to(address))
        row = await eventually(lambda: _sent(env, address))
    assert len(found) == 1
    assert row["attempts"] >= 2 and row["last_error"] is None
    assert f"/invitation?token={event.invitation_token}" in mailpit.message(found[0]["ID"])["Text"]


async def _failed_once(env: Any, address: str) -> dict[str, Any] | None:
    row = await delivery_of(env, address)
    return row if row and row["attempts"] >= 1 and row["last_error"] else None


async def _sent(env: Any, address: str) -> dict[str, Any] | None:
    row = await delivery_of(env, address)
    return row if row and row["status"] == "sent" else None


async def test_after_the_last_attempt_the_delivery_is_marked_failed(notifications_env, caplog) -> None:
    env = notifications_env
    address = env.address()
    await env.publish(env.wrap(env.invited(address)))

    app = create_app(env.settings(smtp_port=env.closed_port(), mail_max_attempts=3,
                                  mail_backoff_initial_seconds=0.1, mail_backoff_max_seconds=0.2))
    async with running_app(app):
        row = await eventually(lambda: _status(env, address, "failed"))
    assert row["attempts"] == 3
    assert any(r.levelname == "ERROR" and r.getMessage() == "delivery failed for good" for r in caplog.records)


async def _status(env: Any, address: str, status: str) -> dict[str, Any] | None:
    row = await delivery_of(env, address)
    return row if row and row["status"] == status else None


async def test_a_redelivered_event_never_queues_a_second_mail_even_past_the_inbox(notifications_env) -> None:
    # The inbox already skips duplicates per consumer group; the unique (event, recipient, channel) backs it up
    # for anything that reaches the handler twice anyway (another group, a manual replay into a new group).
    env = notifications_env
    settings = env.settings()
    event = env.invited(env.address())
    envelope = env.wrap(event)
    database = Database(env.database_url)
    handler = handlers(settings)[AccountInvited]  # handlers are data: no consumer needed to reach one
    for _ in range(2):
        async with database.transaction() as session:
            await handler(EventContext(session, envelope, Outbox(settings.service_name)), event)
    await database.dispose()
    rows = await env.fetch("SELECT count(*) AS n FROM deliveries WHERE event_id = $1", envelope.event_id)
    assert rows[0]["n"] == 1


async def test_two_senders_on_one_queue_send_every_mail_exactly_once(notifications_env, mailpit) -> None:
    env = notifications_env
    settings = env.settings()
    database = Database(env.database_url)
    addresses = [env.address() for _ in range(12)]
    async with database.transaction() as session:
        for address in addresses:
            event = env.invited(address)
            mail = render_invitation(display_name=event.display_name, invitation_token=event.invitation_token,
                                     expires_at=event.expires_at, language="nl", web_base_url=settings.web_base_url)
            assert await queue_email(session, event_id=env.wrap(event).event_id, recipient=address, mail=mail,
                                     organisation_id=event.organisation_id, account_id=event.account_id)

    senders = [MailSender(Database(env.database_url), settings) for _ in range(2)]
    for sender in senders:
        await sender.start()
    try:
        await eventually(lambda: sum(s.sent_total for s in senders) >= len(addresses))
    finally:
        for sender in senders:
            await sender.stop()
            await sender.database.dispose()
    await database.dispose()
    assert sum(s.sent_total for s in senders) == len(addresses)
    for address in addresses:
        assert len(await eventually(lambda a=address: mailpit.messages_to(a))) == 1


class SlowRelay:
    """A TCP proxy in front of the real SMTP server that passes every reply on `delay` late (a busy or far relay)
    and counts the SMTP sessions open through it at once and in all."""

    def __init__(self, host: str, port: int, delay: float) -> None:
        self.host, self.target, self.delay = host, port, delay
        self.open = self.most_at_once = self.opened = 0
        self._timed_out: set[asyncio.StreamWriter] = set()
        self._sessions: set[asyncio.StreamWriter] = set()

    async def __aenter__(self) -> "SlowRelay":
        self.server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        self.server.close()

    def time_out_open_sessions(self) -> None:
        """As a relay whose idle timeout fires just as the client speaks again: the client's next command on a
        session open now is answered `421` and the session closed."""
        self._timed_out |= self._sessions

    async def _session(self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter) -> None:
        self.open += 1
        self.opened += 1
        self.most_at_once = max(self.most_at_once, self.open)
        self._sessions.add(client_out)
        try:
            relay_in, relay_out = await asyncio.open_connection(self.host, self.target)
            await asyncio.gather(self._commands(client_in, relay_out, client_out),
                                 self._pipe(relay_in, client_out, self.delay), return_exceptions=True)
        finally:
            self.open -= 1
            self._sessions.discard(client_out)
            client_out.close()

    async def _commands(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter,
                        client_out: asyncio.StreamWriter) -> None:
        while data := await source.read(65536):
            if client_out in self._timed_out:
                client_out.write(b"421 4.4.2 idle too long, closing\r\n")
                await client_out.drain()
                break
            sink.write(data)
            await sink.drain()
        sink.close()
        client_out.close()

    @staticmethod
    async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter, delay: float) -> None:
        while data := await source.read(65536):
            await asyncio.sleep(delay)
            sink.write(data)
            await sink.drain()
        sink.close()


@contextlib.asynccontextmanager
async def sender_through(env: Any, relay: SlowRelay, **settings: Any) -> AsyncIterator[MailSender]:
    """A running mail sender whose SMTP relay is `relay`; stopped (its sessions closed) on the way out."""
    sender = MailSender(Database(env.database_url), env.settings(smtp_port=relay.port, **settings))
    await sender.start()
    try:
        yield sender
    finally:
        await sender.stop()
        await sender.database.dispose()


async def queue_invitation_mails(env: Any, addresses: list[str]) -> None:
    database = Database(env.database_url)
    settings = env.settings()
    try:
        async with database.transaction() as session:
            for address in addresses:
                event = env.invited(address)
                mail = render_invitation(display_name=event.display_name, invitation_token=event.invitation_token,
                                         expires_at=event.expires_at, language="nl", web_base_url=settings.web_base_url)
                await queue_email(session, event_id=env.wrap(event).event_id, recipient=address, mail=mail,
                                  organisation_id=event.organisation_id, account_id=event.account_id)
    finally:
        await database.dispose()


@pytest.mark.parametrize("lanes", [1, 4])
async def test_mails_due_together_go_out_side_by_side_up_to_the_lanes(notifications_env, mailpit, lanes) -> None:
    """Both parents of a family get a decision mail at once: with one lane the second waited for the whole SMTP
    session of the first (bench/request_saga). Each mail still goes out exactly once, on at most `lanes`
    connections."""
    env = notifications_env
    addresses = [env.address() for _ in range(6)]
    settings = env.settings()
    await queue_invitation_mails(env, addresses)
    async with SlowRelay(settings.smtp_host, settings.smtp_port, delay=0.05) as relay:
        async with sender_through(env, relay, mail_lanes=lanes) as sender:
            await eventually(lambda: sender.sent_total >= len(addresses))
    for address in addresses:
        assert len(await eventually(lambda a=address: mailpit.messages_to(a))) == 1
    assert sender.sent_total == len(addresses)
    if lanes == 1:
        assert relay.most_at_once == 1
    else:
        assert 1 < relay.most_at_once <= lanes


async def test_mails_of_later_passes_go_out_on_the_session_the_lane_kept_open(notifications_env, mailpit) -> None:
    """One SMTP session for mails due seconds apart (a real relay's session costs TLS and a login), closed once it
    has been idle for `smtp_idle_seconds` and when the sender stops."""
    env = notifications_env
    first, second, third = env.address(), env.address(), env.address()
    settings = env.settings()
    async with SlowRelay(settings.smtp_host, settings.smtp_port, delay=0) as relay:
        async with sender_through(env, relay, mail_lanes=1, smtp_idle_seconds=1.5, mail_poll_seconds=0.1) as sender:
            await queue_invitation_mails(env, [first])
            await eventually(lambda: sender.sent_total >= 1)
            await queue_invitation_mails(env, [second])
            await eventually(lambda: sender.sent_total >= 2)
            assert relay.opened == 1 and relay.open == 1  # the second pass used the first one's session
            await eventually(lambda: relay.open == 0, timeout=10)  # idle for 1.5 s: the sender quit
            await queue_invitation_mails(env, [third])
            await eventually(lambda: sender.sent_total >= 3)
            assert relay.opened == 2 and relay.open == 1
        await eventually(lambda: relay.open == 0)  # stopping closed the session it kept
    for address in (first, second, third):
        assert len(await eventually(lambda a=address: mailpit.messages_to(a))) == 1


async def test_a_session_the_relay_closed_while_idle_is_replaced_without_a_failed_attempt(
        notifications_env, mailpit) -> None:
    env = notifications_env
    first, second = env.address(), env.address()
    settings = env.settings()
    async with SlowRelay(settings.smtp_host, settings.smtp_port, delay=0) as relay:
        async with sender_through(env, relay, mail_lanes=1, smtp_idle_seconds=60, mail_poll_seconds=0.1) as sender:
            await queue_invitation_mails(env, [first])
            await eventually(lambda: sender.sent_total >= 1)
            relay.time_out_open_sessions()  # the relay's idle timeout races the next mail
            await queue_invitation_mails(env, [second])
            await eventually(lambda: sender.sent_total >= 2)
    assert relay.opened == 2
    assert sender.failed_attempts_total == 0
    row = await delivery_of(env, second)
    assert row is not None and row["status"] == "sent" and row["attempts"] == 1 and row["last_error"] is None
    for address in (first, second):
        assert len(await eventually(lambda a=address: mailpit.messages_to(a))) == 1
