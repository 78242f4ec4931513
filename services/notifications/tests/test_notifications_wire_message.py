"""The hand-written MIME of a mail reads, once parsed, exactly like the standard library's EmailMessage of it."""

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.utils import formataddr
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st
from notifications.mailer.message import WIRE_POLICY, build_message, wire_message

# Any text a template or a parent's name can bring: accents, emoji, quotes, '=' and '.', long lines, blank lines.
free_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=120)
body = st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=300),
                max_size=8).map("\n".join)
addresses = st.sampled_from(["eva@example.test", "tom.de-vries+ouders@kinderopvang.example",
                             "a@b.test"])
WHEN = datetime(2026, 12, 9, 7, 30, tzinfo=UTC)


def parsed(raw: bytes):  # an EmailMessage
    return message_from_bytes(raw, policy=policy.default)


def read(message) -> dict:
    return {
        "from": (message["From"].addresses[0].display_name, message["From"].addresses[0].addr_spec),
        "reply_to": [(a.display_name, a.addr_spec) for a in message["Reply-To"].addresses]
        if message["Reply-To"] else None,
        "to": [a.addr_spec for a in message["To"].addresses],
        **{name: str(message[name]) if message[name] is not None else None
           for name in ("Subject", "Date", "Message-ID", "Auto-Submitted", "List-Unsubscribe",
                        "List-Unsubscribe-Post")},
        "language": message["Content-Language"],
        "type": message.get_content_type(),
        "text": message.get_body(("plain",)).get_content().replace("\r\n", "\n"),
        "html": message.get_body(("html",)).get_content().replace("\r\n", "\n"),
    }


@settings(max_examples=300, deadline=None)
@given(subject=free_text, sender_name=free_text, reply_name=st.sampled_from(["", "Kinderopvang De Zonnebloem"]),
       text=body, html=body, recipient=addresses,
       unsubscribe=st.one_of(st.none(), st.text("abcdefXYZ0123456789-_=%", min_size=1, max_size=400)),
       with_reply=st.booleans(), language=st.sampled_from(["nl", "en"]))
def test_the_fast_mail_parses_to_the_same_mail_as_the_standard_one(subject, sender_name, reply_name, text, html,
                                                                    recipient, unsubscribe, with_reply, language):
    delivery_id = uuid4()
    # Reply-To is the organisation's own address (mail_texts.Sender.reply_to), sometimes with a plain name. Names
    # beyond that are left out: the standard library itself mangles or crashes on some ('[ ¡', '. ç').
    reply_to = (formataddr((reply_name, "info@zonnebloem.example")) if reply_name else "info@zonnebloem.example"
                ) if with_reply else None
    kwargs = dict(delivery_id=delivery_id, mail_from="Konnect <no-reply@konnect.local>", recipient=recipient,
                  language=language, subject=subject.strip(), body_text=text, body_html=html, now=WHEN,
                  sender_name=sender_name.strip() or None, reply_to=reply_to,
                  unsubscribe_url=f"https://konnect.example/api/v1/unsubscribe?token={unsubscribe}"
                  if unsubscribe else None)
    try:
        standard = build_message(**kwargs).as_bytes(policy=WIRE_POLICY)
    except Exception:  # input the standard library itself cannot write: not a case to compare
        return
    fast = wire_message(**kwargs)
    assert fast.sender == "no-reply@konnect.local"
    assert fast.recipients == (recipient,)
    message = parsed(fast.data)
    assert read(message) == read(parsed(standard))
    # Well formed, not merely readable by a lenient parser: no defect anywhere (mail servers refuse worse).
    assert [part.defects for part in message.walk()] == [[], [], []]
    for line in fast.data.split(b"\r\n"):  # SMTP's line limit, and nothing but CRLF line ends
        assert len(line) <= 998 and b"\n" not in line and b"\r" not in line


def test_a_non_ascii_address_goes_the_standard_way() -> None:
    mail = wire_message(delivery_id=UUID(int=1), mail_from="Konnect <no-reply@konnect.local>",
                        recipient="zoë@example.test", language="nl", subject="Hallo", body_text="Hallo Zoë",
                        body_html="<p>Hallo Zoë</p>", now=WHEN)
    assert read(parsed(mail.data))["text"].startswith("Hallo Zoë")


def test_a_reply_to_with_a_line_break_never_becomes_a_header_of_its_own():
    injected = "info@zonnebloem.example\r\nBcc: everyone@example.test"
    try:
        mail = wire_message(delivery_id=uuid4(), mail_from="Konnect <no-reply@konnect.local>", recipient="a@b.test",
                            language="nl", subject="s", body_text="t", body_html="h", now=WHEN, reply_to=injected)
    except ValueError:
        return  # refused outright (the standard builder): fine
    assert parsed(mail.data)["Bcc"] is None
