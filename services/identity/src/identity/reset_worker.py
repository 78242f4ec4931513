"""Works off queued password-reset requests after the HTTP answer: tokens and PasswordResetRequested events.

The route only queues the (normalised) address, so it takes the same time whether a login exists or not;
this worker then looks the address up, makes the reset links and publishes them through the outbox in the
same transaction that deletes the request. Several identity instances share the queue: each request is
claimed with FOR UPDATE SKIP LOCKED, so one instance handles it, exactly once per committed transaction.
"""

import asyncio
import logging

from konnect_kit.correlation import correlation_id_var
from konnect_kit.db import Database
from konnect_kit.outbox import Outbox
from konnect_kit.wakeup import Wakeup
from sqlalchemy import select

from identity.db.accounts import password_reset_requests
from identity.service_layer.accounts import RESET_REQUESTS_CHANNEL, send_password_reset_links
from identity.settings import Settings

log = logging.getLogger(__name__)


class PasswordResetWorker:
    """Started and stopped with the app (a kit background worker)."""

    def __init__(self, database: Database, outbox: Outbox, settings: Settings) -> None:
        self.database, self.outbox, self.settings = database, outbox, settings
        self._stopping = asyncio.Event()
        self._wake = Wakeup(database.url, RESET_REQUESTS_CHANNEL)
        self._task: asyncio.Task[None] | None = None
        self.handled_total = 0

    async def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="identity-password-resets")

    async def stop(self) -> None:
        """Graceful: the request in hand is finished and committed; nothing new is started."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        await self._wake.close()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.drain()
            except Exception:
                log.exception("password reset pass failed")  # database away for a moment: the next pass retries
            if not self._stopping.is_set():
                await self._wake.wait(self.settings.reset_poll_seconds)

    async def drain(self) -> int:
        """Handle every queued request; returns how many were handled."""
        handled = 0
        while not self._stopping.is_set() and await self.handle_next():
            handled += 1
        return handled

    async def handle_next(self) -> bool:
        async with self.database.transaction() as session:
            request = (await session.execute(
                select(password_reset_requests).order_by(password_reset_requests.c.request_id).limit(1)
                .with_for_update(skip_locked=True))).first()
            if request is None:
                return False
            # The flow that asked: the event and the mail it becomes carry the request's correlation id.
            token = correlation_id_var.set(request.correlation_id)
            try:
                links = await send_password_reset_links(session, self.outbox, self.settings,
                                                         email_normalized=request.email_normalized)
            finally:
                correlation_id_var.reset(token)
            await session.execute(password_reset_requests.delete()
                                  .where(password_reset_requests.c.request_id == request.request_id))
        self.handled_total += 1
        log.info("password reset request handled", extra={"request_id": request.request_id, "links": links})
        return True
