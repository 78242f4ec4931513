"""Builds the MIME message of one delivery: multipart/alternative (text + HTML), stable Message-ID."""

from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from uuid import UUID


def message_id_for(delivery_id: UUID, mail_from: str) -> str:
    # Derived from the delivery, not random: a resend after a crash carries the same Message-ID.
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "konnect.local"
    return f"<{delivery_id}@{domain}>"


def build_message(*, delivery_id: UUID, mail_from: str, recipient: str, language: str, subject: str,
                  body_text: str, body_html: str, now: datetime | None = None, sender_name: str | None = None,
                  reply_to: str | None = None, unsubscribe_url: str | None = None) -> EmailMessage:
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
    message["Content-Language"] = language
    # Tells mail servers and auto-responders this is machine mail (RFC 3834): no out-of-office replies.
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe_url:
        # RFC 2369 + RFC 8058: mail clients show an unsubscribe button that POSTs "List-Unsubscribe=One-Click"
        # to the URL, which turns off this kind's e-mail without the parent logging in.
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(body_text)
    message.add_alternative(body_html, subtype="html")
    return message
