"""Unit tests of the pure parts: mail texts, MIME building, delivery ids, retry schedule, error classes."""

from datetime import UTC, datetime
from email import message_from_bytes, policy
from uuid import uuid4

from aiosmtplib.errors import SMTPConnectError, SMTPRecipientRefused, SMTPRecipientsRefused
from notifications.domain.delivery import RetryPolicy, delivery_id_for
from notifications.domain.mail_texts import format_moment, render_invitation, render_password_reset
from notifications.mailer.message import build_message, message_id_for
from notifications.mailer.sender import is_permanent, is_relay_down

EXPIRES = datetime(2026, 3, 18, 13, 30, tzinfo=UTC)  # 14:30 in Amsterdam (CET)
BASE = "https://portal.example.test/"


def invitation(language: str = "nl", name: str = "Anne de Vries", token: str = "tok-123_ABC"):  # type: ignore[no-untyped-def]
    return render_invitation(display_name=name, invitation_token=token, expires_at=EXPIRES, language=language,
                             web_base_url=BASE)


def test_invitation_is_dutch_by_default_with_link_and_expiry() -> None:
    mail = invitation()
    assert mail.language == "nl"
    assert mail.subject == "Welkom bij Konnect: stel je wachtwoord in"
    assert "Hallo Anne," in mail.text  # greeted by first name
    assert "https://portal.example.test/invitation?token=tok-123_ABC" in mail.text
    assert "18 maart 2026 om 14:30" in mail.text
    assert 'href="https://portal.example.test/invitation?token=tok-123_ABC"' in mail.html
    assert '<html lang="nl">' in mail.html


def test_invitation_in_english_when_chosen_and_dutch_for_unknown_languages() -> None:
    mail = invitation("en")
    assert mail.subject == "Welcome to Konnect: set your password"
    assert "Hello Anne," in mail.text
    assert "18 March 2026 at 14:30" in mail.text
    assert invitation("de").language == "nl"


def test_invitation_never_carries_a_password() -> None:
    for mail in (invitation("nl"), invitation("en")):
        body = mail.text + mail.html
        # The only secret is the single-use token, and it appears inside the set-password link only.
        assert body.count("tok-123_ABC") == body.count("/invitation?token=tok-123_ABC") > 0
        assert "wachtwoord is" not in body.lower() and "password is" not in body.lower()


def test_password_reset_texts() -> None:
    nl = render_password_reset(display_name="Bram", reset_token="r-1", expires_at=EXPIRES, language="nl",
                               web_base_url="http://localhost:5173")
    assert nl.subject == "Nieuw wachtwoord instellen voor Konnect"
    assert "http://localhost:5173/reset-password?token=r-1" in nl.text
    assert "Heb je dit niet zelf gevraagd? Dan kun je deze e-mail negeren" in nl.text
    en = render_password_reset(display_name="Bram", reset_token="r-1", expires_at=EXPIRES, language="en",
                               web_base_url="http://localhost:5173")
    assert en.subject == "Reset your Konnect password"
    assert "If you did not ask for this, ignore this e-mail" in en.text
    assert "valid until 18 March 2026 at 14:30" in en.text


def test_names_are_escaped_in_html_and_literal_in_text() -> None:
    mail = invitation(name="<b>Anne&Bob</b> de Vries")
    assert "Hallo <b>Anne&Bob</b>," in mail.text
    assert "&lt;b&gt;Anne&amp;Bob&lt;/b&gt;" in mail.html
    assert "<b>" not in mail.html


def test_tokens_are_quoted_in_links() -> None:
    mail = invitation(token='a&b"<x>')
    assert "token=a%26b%22%3Cx%3E" in mail.text
    assert '"<x>' not in mail.html


def test_summer_time_is_shown_in_local_time() -> None:
    assert format_moment(datetime(2026, 7, 1, 8, 5, tzinfo=UTC), "nl") == "1 juli 2026 om 10:05"


def test_message_is_multipart_alternative_with_stable_message_id() -> None:
    mail = invitation(name="Zoë")
    delivery_id = uuid4()
    raw = build_message(delivery_id=delivery_id, mail_from="Konnect <no-reply@konnect.local>",
                        recipient="zoe@example.test", language="nl", subject=mail.subject,
                        body_text=mail.text, body_html=mail.html).as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    assert parsed["Message-ID"] == f"<{delivery_id}@konnect.local>"
    assert message_id_for(delivery_id, "no-reply@konnect.local") == parsed["Message-ID"]
    assert parsed["Subject"] == mail.subject
    assert parsed.get_body(("plain",)).get_content().startswith("Hallo Zoë,")  # type: ignore[union-attr]
    assert "Zoë" in parsed.get_body(("html",)).get_content()  # type: ignore[union-attr]


def test_delivery_id_is_stable_per_event_channel_and_recipient() -> None:
    event = uuid4()
    assert delivery_id_for(event, "email", "a@x.test") == delivery_id_for(event, "email", "a@x.test")
    assert delivery_id_for(event, "email", "a@x.test") != delivery_id_for(event, "email", "b@x.test")
    assert delivery_id_for(event, "email", "a@x.test") != delivery_id_for(uuid4(), "email", "a@x.test")


def test_backoff_doubles_is_capped_and_gives_up() -> None:
    policy_ = RetryPolicy(max_attempts=8, initial_seconds=1.0, max_seconds=30.0)
    assert policy_.schedule() == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert policy_.delay_after(1) == 1.0
    assert policy_.delay_after(8) is None
    assert RetryPolicy(1, 1.0, 5.0).delay_after(1) is None


def test_smtp_errors_are_classified() -> None:
    assert is_permanent(SMTPRecipientsRefused([SMTPRecipientRefused(550, "no such user", "x@y.test")]))
    assert not is_permanent(SMTPRecipientsRefused([SMTPRecipientRefused(451, "try later", "x@y.test")]))
    assert not is_permanent(SMTPConnectError("refused"))
    assert is_relay_down(SMTPConnectError("refused")) and is_relay_down(ConnectionRefusedError())
    assert not is_relay_down(SMTPRecipientRefused(550, "no", "x@y.test"))
