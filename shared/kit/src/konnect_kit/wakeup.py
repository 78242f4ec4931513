"""Wake a background worker as soon as a transaction commits work for it (PostgreSQL LISTEN/NOTIFY).

Polling stays the safety net: a missed notification only delays work until the next poll.
"""

import asyncio
import contextlib
import logging

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from konnect_kit.db import asyncpg_dsn

log = logging.getLogger(__name__)


async def notify(session: AsyncSession, channel: str) -> None:
    """Delivered when (and only if) the session's transaction commits."""
    await session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": channel})


class Wakeup:
    def __init__(self, database_url: str, channel: str) -> None:
        self.database_url, self.channel = database_url, channel
        self._event = asyncio.Event()
        self._connection: asyncpg.Connection | None = None

    def set(self) -> None:
        self._event.set()

    async def wait(self, timeout: float) -> None:
        """Until notified or `timeout` passes; clears the flag so the next wait blocks again."""
        await self._listen()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout=timeout)
        self._event.clear()

    def clear(self) -> None:
        self._event.clear()

    async def _listen(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            return
        try:
            self._connection = await asyncpg.connect(asyncpg_dsn(self.database_url), timeout=5)
            await self._connection.add_listener(self.channel, lambda *_: self._event.set())
        except Exception as exc:
            log.warning("running without LISTEN, polling only", extra={"channel": self.channel, "error": repr(exc)})
            self._connection = None

    async def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None
