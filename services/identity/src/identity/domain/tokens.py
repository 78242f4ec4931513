"""Secrets handed to people (invitation, reset, refresh): random, stored only as a SHA-256 hash."""

import hashlib
import secrets
from datetime import datetime


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def usable(*, expires_at: datetime, used_at: datetime | None, superseded_at: datetime | None,
           now: datetime) -> bool:
    """A one-time token works once, before it expires, and only while no newer one replaced it."""
    return used_at is None and superseded_at is None and now < expires_at
