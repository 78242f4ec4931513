"""Account mails end to end inside the service: Kafka event → queued delivery → SMTP → mailpit."""

from typing import Any

from konnect_devstack.pytest_plugin import eventually, internal_headers
from notifications.domain.delivery import delivery_id_for

OPERATOR = internal_headers("platform_operator", "op-1")


async def one_mail(mailpit: Any, address: str) -> dict[str, Any]:
    found = await eventually(lambda: mailpit.messages_to(address))
    assert len(found) == 1, found
    return mailpit.message(found[0]["ID"])


async def bodies_once_settled(env: Any, address: str) -> list[tuple[str, str, str]]:
    """(kind, text, html) of the deliveries to `address` once none is pending any more."""
    async def settled() -> list[tuple[str, str, str]] | None:
        rows = await env.fetch("SELECT kind, status, body_text, body_html FROM deliveries WHERE recipient = $1",
                               address)
        done = rows and all(r["status"] != "pending" for r in rows)
        return [(r["kind"], r["body_text"], r["body_html"]) for r in rows] if done else None

    return await eventually(settled)


async def test_invitation_arrives_in_dutch_with_the_link_and_no_password(shared_env, mail_app, mailpit) -> None:
    address = shared_env.address()
    event = shared_env.invited(address)
    envelope = shared_env.wrap(event)
    await shared_env.publish(envelope)

    mail = await one_mail(mailpit, address)
    link = f"http://localhost:5173/invitation?token={event.invitation_token}"
    assert mail["Subject"] == "Welkom bij Konnect: stel je wachtwoord in"
    assert mail["Text"].startswith("Hallo Anne,")  # by first name
    assert link in mail["Text"] and f'href="{link}"' in mail["HTML"]
    assert "geldig tot" in mail["Text"]
    # The token is the only secret and sits inside the link; no password is ever mailed.
    assert mail["Text"].count(event.invitation_token) == mail["Text"].count(link)
    assert "wachtwoord is" not in mail["Text"].lower()
    assert mail["MessageID"] == f"{delivery_id_for(envelope.event_id, 'email', address)}@konnect.local"
    assert mail["From"]["Address"] == "no-reply@konnect.local"

    async def settled_log() -> list[dict[str, Any]] | None:
        # The mail can reach mailpit a moment before the sender commits `sent` (SMTP first, then the row).
        items = (await mail_app.get("/deliveries", params={"recipient": address}, headers=OPERATOR)).json()["items"]
        return items if items and all(d["status"] != "pending" for d in items) else None

    log = await eventually(settled_log)
    assert [(d["kind"], d["status"], d["attempts"], d["language"]) for d in log] == [
        ("account_invited", "sent", 1, "nl")]
    assert "body_text" not in log[0]  # bodies carry the single-use link: never served
    # ...and once the mail is out, the body (with the link) is not kept at rest either.
    assert await bodies_once_settled(shared_env, address) == [("account_invited", "", "")]


async def test_invitation_in_english_when_the_account_chose_english(shared_env, mail_app, mailpit) -> None:
    address = shared_env.address()
    event = shared_env.invited(address, language="en", display_name="Emma Smith")
    await shared_env.publish(shared_env.wrap(event))

    mail = await one_mail(mailpit, address)
    assert mail["Subject"] == "Welcome to Konnect: set your password"
    assert mail["Text"].startswith("Hello Emma,")
    assert f"http://localhost:5173/invitation?token={event.invitation_token}" in mail["Text"]


async def test_password_reset_mail(shared_env, mail_app, mailpit) -> None:
    address = shared_env.address()
    event = shared_env.reset_requested(address)
    await shared_env.publish(shared_env.wrap(event))

    mail = await one_mail(mailpit, address)
    assert mail["Subject"] == "Nieuw wachtwoord instellen voor Konnect"
    assert f"http://localhost:5173/reset-password?token={event.reset_token}" in mail["Text"]
    assert "Heb je dit niet zelf gevraagd? Dan kun je deze e-mail negeren" in mail["Text"]
    assert "geldig tot" in mail["Text"]
    assert await bodies_once_settled(shared_env, address) == [("password_reset", "", "")]


async def test_names_are_escaped_in_the_html_part(shared_env, mail_app, mailpit) -> None:
    address = shared_env.address()
    await shared_env.publish(shared_env.wrap(shared_env.invited(address, display_name="<b>Anne&Bob</b> Jansen")))

    mail = await one_mail(mailpit, address)
    assert "&lt;b&gt;Anne&amp;Bob&lt;/b&gt;" in mail["HTML"]
    assert "<b>" not in mail["HTML"]
    assert "Hallo <b>Anne&Bob</b>," in mail["Text"]


async def test_the_same_event_delivered_twice_sends_one_mail(shared_env, mail_app, mailpit) -> None:
    address, marker = shared_env.address(), shared_env.address()
    envelope = shared_env.wrap(shared_env.invited(address))
    # Same key → same partition: once the marker behind both copies is mailed, both copies were consumed.
    after = shared_env.wrap(shared_env.invited(marker))
    after.payload["account_id"] = envelope.payload["account_id"]
    await shared_env.publish(envelope, envelope, after)

    await one_mail(mailpit, marker)
    assert len(mailpit.messages_to(address)) == 1
    rows = await shared_env.fetch("SELECT status FROM deliveries WHERE event_id = $1", envelope.event_id)
    assert [r["status"] for r in rows] == ["sent"]
