"""Every mail kind in Dutch and English, rendered as a parent receives it: the text part compared with the reviewed
copy in mail_texts/, the HTML part screenshot at phone width by Debian's Chromium (test artefacts in
.local/artifacts/mails/). KONNECT_UPDATE_MAIL_TEXTS=1 rewrites the reviewed copies after a deliberate change."""

import base64
import os
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID

import pytest
from konnect_devstack import paths
from konnect_kit.media.samples import png
from notifications.domain.inbox import deep_link, inbox_text
from notifications.domain.mail_links import MailLinks
from notifications.domain.mail_texts import (
    ChildLine,
    RenderedMail,
    Sender,
    render_absence_reported,
    render_digest,
    render_invitation,
    render_item_mail,
    render_password_reset,
    render_request_decided,
    render_request_expired,
)

CHROMIUM = Path("/usr/lib/chromium/chromium")  # the real binary, not the /usr/bin wrapper script
ARTIFACTS = paths.ROOT / ".local" / "artifacts" / "mails"
REVIEWED = Path(__file__).parent / "mail_texts"
LINKS = MailLinks("https://ouders.regenboog.example", "https://api.regenboog.example", b"k" * 32)
LOGO = "data:image/png;base64," + base64.b64encode(png(120, 40)).decode()
SENDER = Sender("Kinderopvang De Regenboog", LOGO, "info@regenboog.example")
EXPIRES = datetime(2026, 12, 16, 9, 0, tzinfo=UTC)
WED = date(2026, 12, 9)
SUBJECT = UUID("00000000-0000-4000-8000-000000000013")

ITEM_KINDS = {  # params of one inbox item of each kind, as the events give them
    "photo_posted": ({"media_kind": "photo"}, ["Sem"]),
    "diary_entry_posted": ({}, ["Sem"]),
    "message_sent": ({"subject": "Schoenen vergeten", "sender_name": "Sanne Bakker"}, ["Sem"]),
    "news_published": ({"title": "Sinterklaas op de groep"}, []),
    "newsletter_published": ({"title": "Nieuwsbrief december"}, []),
    "observation_shared": ({"form_title": "Welbevinden"}, ["Sem"]),
}


def mails(language: str) -> dict[str, RenderedMail]:
    name = "Anne de Jong" if language == "nl" else "Emma Smith"
    found: dict[str, RenderedMail] = {
        "account_invited": render_invitation(display_name=name, invitation_token="inv-token", expires_at=EXPIRES,
                                             language=language, web_base_url=LINKS.web_base_url, sender=SENDER),
        "password_reset": render_password_reset(display_name=name, reset_token="reset-token", expires_at=EXPIRES,
                                                language=language, web_base_url=LINKS.web_base_url, sender=SENDER),
    }
    common = {"settings_url": LINKS.settings, "sender": SENDER}
    found["request_decided"] = render_request_decided(
        display_name=name, language=language, request_kind="extra_day",
        lines=[ChildLine("Sem", WED, WED, outcome="accepted"),
               ChildLine("Lotte", WED, WED, outcome="rejected", reason="Groep vol")],
        link=LINKS.web(deep_link("request_decided", SUBJECT)), **common)
    found["request_expired"] = render_request_expired(
        display_name=name, language=language, request_kind="swap",
        lines=[ChildLine("Sem", WED, WED, give_up_date=date(2026, 12, 7))],
        link=LINKS.web(deep_link("request_expired", SUBJECT)), **common)
    found["absence_reported"] = render_absence_reported(
        display_name=name, language=language, line=ChildLine("Sem", WED, date(2026, 12, 11)), reason="sick",
        note="Koorts", link=LINKS.web(deep_link("absence_reported", SUBJECT)), **common)
    for kind, (params, children) in ITEM_KINDS.items():
        found[kind] = render_item_mail(display_name=name, language=language, kind=kind,
                                       title=inbox_text(kind, params, 1, children, language),
                                       url=LINKS.web(deep_link(kind, SUBJECT)), **common)
    found["digest"] = render_digest(
        display_name=name, language=language, web_base_url=LINKS.web_base_url, settings_url=LINKS.settings,
        sender=SENDER, lines=[inbox_text("photo_posted", {}, 10, ["Sem"], language),
                              inbox_text("diary_entry_posted", {}, 1, ["Sem"], language),
                              inbox_text("news_published", {"title": "Sinterklaas op de groep"}, 1, [], language)])
    return found


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_mail_kind_reads_as_reviewed_and_renders_in_a_browser(language: str) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make install` installs Debian's chromium package")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    REVIEWED.mkdir(exist_ok=True)
    rendered = mails(language)
    assert len(rendered) == 12  # 2 account mails, 3 request/absence mails, 6 item kinds, the digest
    differ = []
    for kind, mail in rendered.items():
        name = f"{kind}.{language}"
        text = f"Subject: {mail.subject}\nFrom: {mail.sender_name}\n\n{mail.text}"
        reviewed = REVIEWED / f"{name}.txt"
        if os.environ.get("KONNECT_UPDATE_MAIL_TEXTS") == "1" or not reviewed.exists():
            reviewed.write_text(text)
        if reviewed.read_text() != text:
            differ.append(name)
        # What every mail must have, whatever its kind.
        assert '<meta name="viewport"' in mail.html and f'<html lang="{language}">' in mail.html
        assert "Kinderopvang De Regenboog" in mail.text
        html = ARTIFACTS / f"{name}.html"
        html.write_text(mail.html)
        shot = ARTIFACTS / f"{name}.png"
        shot.unlink(missing_ok=True)
        subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--window-size=390,1200", f"--screenshot={shot}", html.as_uri()],
                       check=True, capture_output=True, timeout=120)
        assert shot.stat().st_size > 5000, f"{name}: the screenshot is (nearly) empty"
    assert differ == [], f"text parts differ from the reviewed copies in {REVIEWED}: {differ}"
