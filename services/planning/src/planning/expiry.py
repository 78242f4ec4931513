"""The expiry worker: fires due request timers (rows, so they survive restarts), once across N instances."""

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from konnect_kit.db import Database
from konnect_kit.outbox import Outbox
from konnect_kit.worker import DrainingWorker
from sqlalchemy import select, update

from planning.db.requests import request_timers
from planning.service_layer.decisions import expire


class ExpiryWorker(DrainingWorker):
    """Polls every `poll_seconds`; each due timer is claimed with FOR UPDATE SKIP LOCKED in its own transaction."""

    name = "planning-expiry"

    def __init__(self, database: Database, outbox: Outbox, now: Callable[[], datetime], *,
                 poll_seconds: float) -> None:
        super().__init__(poll_seconds=poll_seconds)
        self.database = database
        self.outbox = outbox
        self.now = now
        self.fired_total = 0

    async def handle_next(self) -> bool:
        return await self.fire_next() is not None

    async def fire_next(self) -> UUID | None:
        now = self.now()
        async with self.database.transaction() as session:
            # SKIP LOCKED: another instance is firing that timer right now; take the next one instead.
            request_id = await session.scalar(
                select(request_timers.c.request_id)
                .where(request_timers.c.fired_at.is_(None), request_timers.c.fire_at <= now)
                .order_by(request_timers.c.fire_at).limit(1).with_for_update(skip_locked=True))
            if request_id is None:
                return None
            await expire(session, self.outbox, request_id, now)
            await session.execute(update(request_timers).where(request_timers.c.request_id == request_id)
                                  .values(fired_at=now))
        self.fired_total += 1
        return request_id
