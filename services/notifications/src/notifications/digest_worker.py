"""Background worker that queues due daily digests (each in its own transaction; several instances agree)."""

import logging

from konnect_kit.db import Database
from konnect_kit.worker import DrainingWorker

from notifications.clock import Clock
from notifications.service_layer.digests import due_accounts, send_digest
from notifications.settings import Settings

log = logging.getLogger(__name__)


class DigestWorker(DrainingWorker):
    name = "notifications-digest"

    def __init__(self, database: Database, settings: Settings, clock: Clock) -> None:
        super().__init__(poll_seconds=settings.digest_poll_seconds)
        self.database, self.settings, self.clock = database, settings, clock
        self.digests_total = 0

    async def drain(self) -> int:
        async with self.database.transaction() as session:
            due = await due_accounts(session, self.clock.now())
        sent = 0
        for account_id, at in due:
            async with self.database.transaction() as session:
                if await send_digest(session, account_id, at, links=self.settings.mail_links()):
                    sent += 1
        self.digests_total += sent
        if sent:
            log.info("digests queued", extra={"digests": sent})
        return sent
