"""The expiry worker: fires due request timers (rows, so they survive restarts), once across N instances."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from konnect_kit.db import Database
from konnect_kit.outbox import Outbox
from sqlalchemy import select, update

from planning.db.requests import request_timers
from planning.service_layer.decisions import expire

log = logging.getLogger(__name__)


class ExpiryWorker:
    """Polls every `poll_seconds`; each due timer is claimed with FOR UPDATE SKIP LOCKED in its own transaction."""

    def __init__(self, database: Database, outbox: Outbox, now: Callable[[], datetime], *, poll_seconds: float,
                 topic: str) -> None:
        self.database = database
        self.outbox = outbox
        self.now = now
        self.poll_seconds = poll_seconds
        self.topic = topic
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.fired_total = 0

    async def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="planning-expiry")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.drain()
            except Exception:
                log.exception("expiry pass failed")  # database away for a moment: the next pass retries
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.poll_seconds)

    async def drain(self) -> int:
        """Fire every timer due by the clock now; returns how many fired."""
        fired = 0
        while not self._stopping.is_set() and await self.fire_next():
            fired += 1
        return fired

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
            await expire(session, self.outbox, request_id, now, topic=self.topic)
            await session.execute(update(request_timers).where(request_timers.c.request_id == request_id)
                                  .values(fired_at=now))
        self.fired_total += 1
        return request_id
