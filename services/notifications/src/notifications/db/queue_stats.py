"""What the delivery queue holds right now, per channel: due, held for later, and how late the oldest due one is."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.models import deliveries


@dataclass(frozen=True)
class ChannelQueue:
    channel: str
    due: int  # pending and due now: the backlog the sender works off
    held: int  # pending, due later (a retry's backoff, a burst window, quiet hours)
    lag_seconds: float  # how long the oldest due delivery has been waiting; 0 when none is due


async def queue_by_channel(session: AsyncSession, now: datetime) -> dict[str, ChannelQueue]:
    # Pending rows only: the partial index deliveries_due keeps this cheap however long the log grows.
    is_due = deliveries.c.next_attempt_at <= now
    rows = await session.execute(
        select(deliveries.c.channel,
               func.count().filter(is_due).label("due"),
               func.count().filter(~is_due).label("held"),
               func.min(deliveries.c.next_attempt_at).filter(is_due).label("oldest"))
        .where(deliveries.c.status == "pending").group_by(deliveries.c.channel))
    return {row.channel: ChannelQueue(row.channel, row.due, row.held,
                                      max(0.0, (now - row.oldest).total_seconds()) if row.oldest else 0.0)
            for row in rows}
