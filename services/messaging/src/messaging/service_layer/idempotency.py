"""Idempotent sending: a retry with the same Idempotency-Key answers what the first attempt made, once.

The key row is inserted first, in the same transaction as the messages: a concurrent retry waits on the
primary key until the first commits, then finds the row and creates nothing (or, if the first rolled back,
goes ahead itself). Keys are forgotten after KEY_RETENTION (messaging.pruning): a retry comes within minutes.
"""

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.domain_errors import Conflict, Invalid

from messaging.db import idempotency as db

MAX_KEY = 200
KEY_RETENTION = timedelta(days=7)


def request_hash(kind: str, values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps([kind, values], sort_keys=True, default=str).encode()).hexdigest()


async def claim(session: Session, account_id: UUID, key: str | None, kind: str, values: dict[str, Any],
                result: dict[str, Any], now: datetime | None = None) -> dict[str, Any] | None:
    """None when this call is the first with `key` (go ahead and make `result`); else the earlier result."""
    if key is None:
        return None
    if not key or len(key) > MAX_KEY:
        raise Invalid("invalid_idempotency_key", f"The Idempotency-Key must be 1 to {MAX_KEY} characters.")
    digest = request_hash(kind, values)
    if await db.insert_key(session, account_id, key, kind, digest, result, now or datetime.now(UTC)):
        return None
    earlier = await db.earlier_request(session, account_id, key)
    if earlier.kind != kind or earlier.request_hash != digest:
        raise Conflict("idempotency_key_reused",
                       "This Idempotency-Key was used for a different message; use a new key for a new message.")
    return dict(earlier.result)


async def forget_old_keys(session: Session, now: datetime, batch: int) -> int:
    return await db.delete_keys_before(session, now - KEY_RETENTION, batch)
