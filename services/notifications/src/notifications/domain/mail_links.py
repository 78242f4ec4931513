"""Links a notification mail carries: the item, the settings page and a signed one-click unsubscribe (RFC 8058)."""

import base64
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import quote
from uuid import UUID

# What an unsubscribe token of a digest mail turns off: every kind the parent gets in the digest.
DIGEST_KIND = "digest"


@dataclass(frozen=True)
class Unsubscribe:
    account_id: UUID
    kind: str


def _signature(key: bytes, account_id: UUID, kind: str) -> str:
    mac = hmac.new(key, f"unsubscribe/{account_id}/{kind}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def unsubscribe_token(key: bytes, account_id: UUID, kind: str) -> str:
    """'<account hex>.<kind>.<HMAC>': stateless, so a mail sent a year ago still works, and a forged or edited
    token (another account, another kind) fails the check."""
    return f"{account_id.hex}.{kind}.{_signature(key, account_id, kind)}"


def read_unsubscribe_token(key: bytes, token: str) -> Unsubscribe | None:
    """The account and kind a genuine token names; None for anything else."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    account_hex, kind, signature = parts
    try:
        account_id = UUID(hex=account_hex)
    except ValueError:
        return None
    if not hmac.compare_digest(signature, _signature(key, account_id, kind)):
        return None
    return Unsubscribe(account_id, kind)


@dataclass(frozen=True)
class MailLinks:
    """Where a mail's links point: the web client for people, the public API for the unsubscribe POST."""

    web_base_url: str
    api_base_url: str
    signing_key: bytes

    def web(self, path: str) -> str:
        return f"{self.web_base_url.rstrip('/')}{path}"

    @property
    def settings(self) -> str:
        return self.web("/settings/notifications")

    def unsubscribe(self, account_id: UUID, kind: str) -> str:
        token = unsubscribe_token(self.signing_key, account_id, kind)
        return f"{self.api_base_url.rstrip('/')}/api/v1/email-unsubscribe/{quote(token, safe='')}"
