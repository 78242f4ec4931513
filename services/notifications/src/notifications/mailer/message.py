"""Builds the MIME message of one delivery: multipart/alternative (text + HTML), stable Message-ID.

`wire_message` writes the bytes itself for the usual mail (ASCII addresses): the standard library's EmailMessage
took ~2.7 ms of CPU per mail (its header registry parses and refolds every header), on the path from a decision
to the parent's inbox (bench/request_saga). `build_message` (EmailMessage) stays for addresses with non-ASCII
characters, and a property test shows both give the same mail once parsed.
"""

import quopri
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from uuid import UUID

# SMTP line ends, and headers folded at 998 rather than 78 characters: a List-Unsubscribe URL is one long token, and
# folding it at 78 would turn it into RFC 2047 encoded words that no mail client reads as a URL.
WIRE_POLICY = policy.SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class WireMessage:
    """What the SMTP client sends: the envelope's sender and recipients, and the message's bytes (CRLF lines)."""

    sender: str
    recipients: tuple[str, ...]
    data: bytes


def message_id_for(delivery_id: UUID, mail_from: str) -> str:
    # Derived from the delivery, not random: a resend after a crash carries the same Message-ID.
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "konnect.local"
    return f"<{delivery_id}@{domain}>"


def wire_message(*, delivery_id: UUID, mail_from: str, recipient: str, language: str, subject: str,
                 body_text: str, body_html: str, now: datetime | None = None, sender_name: str | None = None,
                 reply_to: str | None = None, unsubscribe_url: str | None = None) -> WireMessage:
    display, address = parseaddr(mail_from)
    plain = (address, recipient, reply_to or "", unsubscribe_url or "")
    if not all(part.isascii() for part in plain) or not (reply_to or "").isprintable():
        standard = build_message(delivery_id=delivery_id, mail_from=mail_from, recipient=recipient, language=language,
                                 subject=subject, body_text=body_text, body_html=body_html, now=now,
                                 sender_name=sender_name, reply_to=reply_to, unsubscribe_url=unsubscribe_url)
        return WireMessage(address or mail_from, (recipient,), standard.as_bytes(policy=WIRE_POLICY))
    # Quoted-printable writes "=" only before two hex digits, so a boundary starting "=_" cannot occur in the parts.
    boundary = f"=_konnect_{delivery_id.hex}"
    headers = [("From", formataddr((sender_name or display, address), charset="utf-8") if address else mail_from)]
    if reply_to:
        # A header value already (the organisation's address, or `formataddr`'s "name <address>"), printable ASCII
        # here (anything else, a line break above all, took the standard builder above): passed on as written.
        headers.append(("Reply-To", reply_to))
    headers += [("To", recipient), ("Subject", _text(subject, "Subject")),
                ("Date", format_datetime(now or datetime.now(UTC))),
                ("Message-ID", message_id_for(delivery_id, mail_from)), ("Content-Language", language),
                # Tells mail servers and auto-responders this is machine mail (RFC 3834): no out-of-office replies.
                ("Auto-Submitted", "auto-generated")]
    if unsubscribe_url:
        # RFC 2369 + RFC 8058: mail clients show an unsubscribe button that POSTs "List-Unsubscribe=One-Click"
        # to the URL, which turns off this kind's e-mail without the parent logging in.
        headers += [("List-Unsubscribe", f"<{unsubscribe_url}>"),
                    ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
    headers += [("MIME-Version", "1.0"), ("Content-Type", f'multipart/alternative; boundary="{boundary}"')]
    lines = [f"{name}: {value}" for name, value in headers] + [""]  # the blank line that ends the headers
    for subtype, body in (("plain", body_text), ("html", body_html)):
        lines += [f"--{boundary}", f'Content-Type: text/{subtype}; charset="utf-8"',
                  "Content-Transfer-Encoding: quoted-printable", "", _quoted_printable(body)]
    lines += [f"--{boundary}--", ""]
    return WireMessage(address, (recipient,), "\r\n".join(lines).encode("ascii"))


def _text(value: str, name: str) -> str:
    """A header's free text: as it is when ASCII on one line, else RFC 2047 encoded words, folded."""
    if value.isascii() and "\n" not in value and "\r" not in value and len(value) < 900:
        return value
    return Header(value, "utf-8", header_name=name).encode(linesep="\r\n")


def _quoted_printable(body: str) -> str:
    """UTF-8, quoted-printable with soft breaks at 76 and CRLF line ends (short lines of ASCII stay readable)."""
    normalised = body.replace("\r\n", "\n").replace("\r", "\n")
    if not normalised.endswith("\n"):
        normalised += "\n"  # a part ends with a line end (as EmailMessage.set_content writes it)
    return quopri.encodestring(normalised.encode("utf-8")).decode("ascii").replace("\n", "\r\n")


def build_message(*, delivery_id: UUID, mail_from: str, recipient: str, language: str, subject: str,
                  body_text: str, body_html: str, now: datetime | None = None, sender_name: str | None = None,
                  reply_to: str | None = None, unsubscribe_url: str | None = None) -> EmailMessage:
    """The same mail through the standard library's EmailMessage (non-ASCII addresses, and the tests' reference)."""
    message = EmailMessage()
    # The address stays the platform's own (SPF/DKIM pass for it); the name says which organisation writes.
    display, address = parseaddr(mail_from)
    message["From"] = Address(display_name=sender_name or display, addr_spec=address) if address else mail_from
    if reply_to:
        message["Reply-To"] = reply_to
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = message_id_for(delivery_id, mail_from)
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(body_text)
    message.add_alternative(body_html, subtype="html")
    # After the content: set_content drops every Content-* header set before it (mails went out without it).
    message["Content-Language"] = language
    return message
