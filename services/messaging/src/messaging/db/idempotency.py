"""Idempotency keys of sending (`sent_requests`): claim a key, read what its first attempt made, prune old keys."""

from datetime import datetime
from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects.postgresql import insert

from messaging.db.models import sent_requests


async def insert_key(session: Session, account_id: UUID, key: str, kind: str, request_hash: str,
                     result: dict[str, Any], now: datetime) -> bool:
    """True when this call inserted the key; a concurrent insert of the same key waits for the other
    transaction (primary key), then finds it there (False)."""
    inserted = await session.scalar(
        insert(sent_requests).values(account_id=account_id, idempotency_key=key, kind=kind,
                                     request_hash=request_hash, result=result, created_at=now)
        .on_conflict_do_nothing(index_elements=["account_id", "idempotency_key"])
        .returning(sent_requests.c.kind))
    return inserted is not None


async def earlier_request(session: Session, account_id: UUID, key: str) -> Any:
    return (await session.execute(select(sent_requests).where(
        sent_requests.c.account_id == account_id, sent_requests.c.idempotency_key == key))).one()


async def delete_keys_before(session: Session, cutoff: datetime, limit: int) -> int:
    """One batch of keys made before `cutoff` (their messages stay: only the memory of the retry goes)."""
    s = sent_requests.c
    doomed = select(s.account_id, s.idempotency_key).where(s.created_at < cutoff).limit(limit) \
        .with_for_update(skip_locked=True)
    deleted = await session.execute(delete(sent_requests).where(tuple_(s.account_id, s.idempotency_key).in_(doomed))
                                    .returning(s.account_id))
    return len(deleted.all())
