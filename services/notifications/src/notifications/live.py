"""Live inbox fan-out: every instance LISTENs on one PostgreSQL channel; a committed inbox change NOTIFYs it with
the account id, and each instance wakes the streams of that account it holds (any instance may write, any may
stream). A lost LISTEN connection is re-opened and wakes every stream, which then re-reads: nothing is lost."""

import asyncio
import contextlib
import logging
from collections import defaultdict
from uuid import UUID

import asyncpg
from konnect_kit.db import asyncpg_dsn

from notifications.db.inbox import LIVE_CHANNEL as CHANNEL

log = logging.getLogger(__name__)



class InboxHub:
    name = "notifications-inbox-hub"

    def __init__(self, database_url: str, *, reconnect_seconds: float = 2.0) -> None:
        self.database_url = database_url
        self.reconnect_seconds = reconnect_seconds
        self._streams: dict[UUID, set[asyncio.Event]] = defaultdict(set)
        self._connection: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.notifications_total = 0

    # -- streams ------------------------------------------------------------------------------------------

    def subscribe(self, account_id: UUID) -> asyncio.Event:
        event = asyncio.Event()
        self._streams[account_id].add(event)
        return event

    def unsubscribe(self, account_id: UUID, event: asyncio.Event) -> None:
        streams = self._streams.get(account_id)
        if streams is not None:
            streams.discard(event)
            if not streams:
                del self._streams[account_id]

    @property
    def open_streams(self) -> int:
        return sum(len(s) for s in self._streams.values())

    def _wake(self, account_id: UUID | None) -> None:
        targets = self._streams.values() if account_id is None else [self._streams.get(account_id, set())]
        for streams in targets:
            for event in streams:
                event.set()

    def _on_notify(self, _connection: object, _pid: int, _channel: str, payload: str) -> None:
        self.notifications_total += 1
        try:
            self._wake(UUID(payload))
        except ValueError:
            self._wake(None)

    # -- the LISTEN connection (a background worker of the app) -------------------------------------------

    async def start(self) -> None:
        self._stopping.clear()
        await self._connect()
        self._task = asyncio.create_task(self._watch(), name=self.name)

    async def _connect(self) -> None:
        try:
            self._connection = await asyncpg.connect(asyncpg_dsn(self.database_url), timeout=5)
            await self._connection.add_listener(CHANNEL, self._on_notify)
        except Exception as exc:
            log.warning("inbox LISTEN not available, retrying", extra={"error": repr(exc)})
            self._connection = None

    async def _watch(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), timeout=self.reconnect_seconds)
            if self._stopping.is_set():
                break
            if self._connection is None or self._connection.is_closed():
                await self._connect()
                if self._connection is not None:
                    self._wake(None)  # notifications may have been missed meanwhile: every stream re-reads

    async def stop(self) -> None:
        self._stopping.set()
        self._wake(None)
        if self._task is not None:
            await self._task
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
