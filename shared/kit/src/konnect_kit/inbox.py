"""The inbox: which events a consumer group has already applied, so a redelivery or replay changes nothing.

Claiming an event inserts its id into `kit_inbox` in the same transaction as the handler's writes: either
both commit or neither does, which makes every handler effectively exactly-once.
"""

from collections.abc import Sequence
from typing import Any

from konnect_contracts.envelope import Envelope
from sqlalchemy.ext.asyncio import AsyncSession

from konnect_kit.db import driver


async def claim(session: AsyncSession, consumer: str, envelopes: Sequence[Envelope]) -> set[Any]:
    """Insert inbox rows; returns the event ids this consumer group has not seen before."""
    if not envelopes:
        return set()
    # A driver-level statement on the unit of work's own connection (konnect_kit.db.driver): no clause to build,
    # none of SQLAlchemy's per-execute work; `driver` opens the transaction itself when this is its first statement.
    rows = await (await driver(session)).fetch(
        "INSERT INTO kit_inbox (consumer, event_id, event_type) "
        "SELECT $1, unnest($2::uuid[]), unnest($3::text[]) "
        "ON CONFLICT DO NOTHING RETURNING event_id",
        consumer, [e.event_id for e in envelopes], [e.event_type for e in envelopes],
    )
    return {row[0] for row in rows}
