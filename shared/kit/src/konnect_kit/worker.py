"""A background worker that works off a queue in passes: started and stopped with the app, woken or polled.

Each pass drains what is due, one item per transaction (`handle_next`), until nothing is left or the app
stops; between passes it waits for a PostgreSQL NOTIFY (when given a `Wakeup`) or the poll interval. A
failing pass (the database away for a moment) is logged and the next pass retries.
"""

import asyncio
import contextlib
import logging

from konnect_kit.wakeup import Wakeup

log = logging.getLogger(__name__)


class DrainingWorker:
    """Subclasses say what one item is (`handle_next`); the loop, waking and graceful stop are here."""

    name = "worker"  # the asyncio task's name and the log's

    def __init__(self, *, poll_seconds: float, wakeup: Wakeup | None = None) -> None:
        self.poll_seconds = poll_seconds
        self._wake = wakeup
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    async def handle_next(self) -> bool:
        """Handle one due item in its own transaction; False when nothing is due."""
        raise NotImplementedError

    async def drain(self) -> int:
        """Handle every item due now; returns how many were handled."""
        handled = 0
        while not self.stopping and await self.handle_next():
            handled += 1
        return handled

    async def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Graceful: the item in hand is finished and committed; nothing new is started."""
        self._stopping.set()
        if self._wake is not None:
            self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        if self._wake is not None:
            await self._wake.close()

    async def _run(self) -> None:
        while not self.stopping:
            try:
                await self.drain()
            except Exception:
                log.exception("background pass failed", extra={"worker": self.name})
            if not self.stopping:
                await self._pause()

    async def _pause(self) -> None:
        if self._wake is not None:
            await self._wake.wait(self.poll_seconds)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=self.poll_seconds)
