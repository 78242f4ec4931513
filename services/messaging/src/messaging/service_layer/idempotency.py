"""Idempotent sending: a retry with the same Idempotency-Key answers what the first attempt made, once.

The key row is inserted first, in the same transaction as the messages: a concurrent retry waits on the
primary key until the first commits, then finds the row and creates nothing (or, if the first rolled back,
goes ahead itself).
"""

import hashlib
import json
from typing import Any
from uuid import UUID

from konnect_kit.domain_errors import Conflict, Invalid
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from messaging.db.models import sent_requests

MAX_KEY = 200


def request_hash(kind: str, values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps([kind, values], sort_keys=True, default=str).encode()).hexdigest()


async def claim(session: AsyncSession, account_id: UUID, key: str | None, kind: str, values: dict[str, Any],
                result: dict[str, Any]) -> dict[str, Any] | None:
    """None when this call is the first with `key` (go ahead and make `result`); else the earlier result."""
    if key is None:
        return None
    if not key or len(key) > MAX_KEY:
        raise Invalid("invalid_idempotency_key", f"The Idempotency-Key must be 1 to {MAX_KEY} characters.")
    digest = request_hash(kind, values)
    inserted = await session.scalar(
        insert(sent_requests).values(account_id=account_id, idempotency_key=key, kind=kind, request_hash=digest,
                                     result=result)
        .on_conflict_do_nothing(index_elements=["account_id", "idempotency_key"])
        .returning(sent_requests.c.kind))
    if inserted is not None:
        return None
    earlier = (await session.execute(select(sent_requests).where(
        sent_requests.c.account_id == account_id, sent_requests.c.idempotency_key == key))).one()
    if earlier.kind != kind or earlier.request_hash != digest:
        raise Conflict("idempotency_key_reused",
                       "This Idempotency-Key was used for a different message; use a new key for a new message.")
    return dict(earlier.result)
