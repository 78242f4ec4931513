"""Delivery hygiene: a refused mailbox or a reported bounce/complaint stops mail to that address and shows in the
parent's settings; the queue's backlog, held deliveries, lag and sent/failed counts show in /metrics."""

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from konnect_contracts.events.directory import ParentUpserted
from konnect_devstack.pytest_plugin import eventually, internal_headers, running_app
from notifications.clock import SettableClock
from notifications.main import create_app

OPERATOR = internal_headers("platform_operator", "operator-1")


class RefusingRelay:
    """A small SMTP server over real TCP that refuses mailboxes whose local part starts with 'gone' (550 5.1.1),
    as a receiving server does for an address that no longer exists, and accepts the rest."""

    def __init__(self) -> None:
        self.accepted: list[str] = []
        self.refused: list[str] = []
        self.port = 0

    async def session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def say(line: str) -> None:
            writer.write(f"{line}\r\n".encode())
            await writer.drain()

        await say("220 relay.test ESMTP")
        in_data = False
        while line := (await reader.readline()).decode(errors="replace").rstrip("\r\n"):
            if in_data:
                in_data = line != "."
                if not in_data:
                    await say("250 2.0.0 queued")
                continue
            verb = line[:4].upper()
            if verb == "EHLO":
                await say("250 relay.test")
            elif verb == "RCPT":
                address = line.split(":", 1)[1].strip().strip("<>")
                if address.startswith("gone"):
                    self.refused.append(address)
                    await say("550 5.1.1 mailbox unavailable")
                else:
                    self.accepted.append(address)
                    await say("250 2.1.5 ok")
            elif verb == "DATA":
                in_data = True
                await say("354 go ahead")
            elif verb == "QUIT":
                await say("221 bye")
                break
            else:  # MAIL FROM, RSET, NOOP
                await say("250 ok")
        writer.close()


@pytest.fixture
async def refusing_relay() -> AsyncIterator[RefusingRelay]:
    relay = RefusingRelay()
    server = await asyncio.start_server(relay.session, "127.0.0.1", 0)
    relay.port = server.sockets[0].getsockname()[1]
    async with server:
        yield relay


async def parent(env: Any, address: str) -> tuple[uuid.UUID, uuid.UUID]:
    org, account = uuid.uuid4(), uuid.uuid4()
    await env.publish(env.wrap(ParentUpserted(organisation_id=org, version=1, account_id=account,
                                              family_id=uuid.uuid4(), name="Anne", email=address, language="nl")))
    await eventually(lambda: env.fetch("SELECT 1 FROM recipients WHERE account_id = $1", account))
    return org, account


async def delivery_rows(env: Any, address: str) -> list[dict[str, Any]]:
    rows = await env.fetch("SELECT status, last_error FROM deliveries WHERE recipient = $1 ORDER BY created_at",
                           address)
    return [dict(r) for r in rows]


async def test_a_refused_mailbox_is_no_longer_mailed_and_the_parent_sees_why(notifications_env,
                                                                             refusing_relay) -> None:
    env = notifications_env
    address = f"gone-{uuid.uuid4().hex[:8]}@example.test"
    async with running_app(create_app(env.settings(smtp_port=refusing_relay.port))) as client:
        org, account = await parent(env, address)
        me = internal_headers("parent", str(account), str(org))
        await env.publish(env.wrap(env.invited(address, organisation_id=org)))
        await eventually(lambda: _statuses(env, address, ["failed"]))
        assert refusing_relay.refused == [address]  # one try: a 550 is final, no retries
        # Given up on, the invitation keeps no body: its single-use link does not rest in the table.
        bodies = await env.fetch("SELECT body_text, body_html FROM deliveries WHERE recipient = $1", address)
        assert [tuple(r) for r in bodies] == [("", "")]

        problem = (await client.get("/notification-settings", headers=me)).json()["email_problem"]
        assert problem["email"] == address and problem["reason"] == "refused"
        assert "mailbox unavailable" in problem["detail"]

        # The next mail to it is logged as not sent, and the server never hears of it.
        await env.publish(env.wrap(env.invited(address, organisation_id=org)))
        rows = await eventually(lambda: _statuses(env, address, ["failed", "failed"]))
        assert rows[1]["last_error"] == "not sent: the address is suppressed (refused)"
        assert refusing_relay.refused == [address]

        # The parent fixed their mailbox: mail is tried again.
        cleared = await client.put("/notification-settings", headers=me, json={"mail_me_again": True})
        assert cleared.status_code == 200 and cleared.json()["email_problem"] is None


async def _statuses(env: Any, address: str, expected: list[str]) -> list[dict[str, Any]] | None:
    rows = await delivery_rows(env, address)
    return rows if [r["status"] for r in rows] == expected else None


async def test_bounce_and_complaint_reports_stop_mail_only_from_the_operator(shared_env, mail_app, mailpit) -> None:
    env = shared_env
    address = env.address()
    org, account = await parent(env, address)
    me = internal_headers("parent", str(account), str(org))
    for who in (me, internal_headers("org_admin", str(uuid.uuid4()), str(org))):
        refused = await mail_app.post("/mail-bounces", json={"email": address, "kind": "bounce"}, headers=who)
        assert refused.status_code == 403
    bad = await mail_app.post("/mail-bounces", json={"email": "no address", "kind": "bounce"}, headers=OPERATOR)
    assert bad.status_code == 422
    assert (await mail_app.get("/notification-settings", headers=me)).json()["email_problem"] is None

    reported = await mail_app.post("/mail-bounces", headers=OPERATOR, json={
        "email": address.upper(), "kind": "complaint", "detail": "feedback loop: abuse"})
    assert reported.status_code == 200 and reported.json()["reason"] == "complained"
    problem = (await mail_app.get("/notification-settings", headers=me)).json()["email_problem"]
    assert problem["email"] == address and problem["reason"] == "complained"

    await env.publish(env.wrap(env.invited(address, organisation_id=org)))
    rows = await eventually(lambda: _statuses(env, address, ["failed"]))
    assert rows[0]["last_error"] == "not sent: the address is suppressed (complained)"
    assert mailpit.messages_to(address) == []


def metric(text: str, name: str, channel: str = "email") -> float:
    match = re.search(rf'^{name}{{channel="{channel}"}} (\S+)$', text, re.MULTILINE)
    assert match, f"{name} missing in:\n{text}"
    return float(match.group(1))


async def test_metrics_show_backlog_held_lag_and_failed_attempts_per_channel(notifications_env) -> None:
    env = notifications_env
    address = env.address()
    # The relay is down: the mail fails once and waits (held) for its retry a minute later.
    clock = SettableClock(datetime.now(UTC))
    down = create_app(env.settings(smtp_port=env.closed_port(), mail_backoff_initial_seconds=60), clock)
    async with running_app(down) as client:
        await env.publish(env.wrap(env.invited(address)))
        await eventually(lambda: _statuses(env, address, ["pending"]))

        async def failed_once() -> str | None:
            text = (await client.get("/metrics")).text
            return text if metric(text, "notifications_delivery_attempts_failed_total") >= 1 else None

        text = await eventually(failed_once)
        assert metric(text, "notifications_queue_held") >= 1
        assert metric(text, "notifications_queue_backlog") == 0  # nothing due: the one mail waits for its retry
        assert metric(text, "notifications_queue_lag_seconds") == 0
        assert metric(text, "notifications_deliveries_sent_total") == 0
        assert metric(text, "notifications_queue_backlog", "push") == 0
        assert "# TYPE notifications_queue_backlog gauge" in text
        assert "notifications_email_suppressed_addresses " in text

        # Seen an hour later (by the app's clock) with the retry not made: backlog and lag show it.
        clock.advance(timedelta(hours=1))
        later = (await client.get("/metrics")).text
        assert metric(later, "notifications_queue_backlog") >= 1
        assert metric(later, "notifications_queue_lag_seconds") > 3000
