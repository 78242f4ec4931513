"""Works off queued password-reset requests after the HTTP answer: tokens and PasswordResetRequested events.

The route only queues the (normalised) address, so it takes the same time whether a login exists or not;
this worker then looks the address up, makes the reset links and publishes them through the outbox in the
same transaction that deletes the request. Several identity instances share the queue: each request is
claimed with FOR UPDATE SKIP LOCKED, so one instance handles it, exactly once per committed transaction.
"""

import logging

from konnect_kit.correlation import correlation_id_var
from konnect_kit.db import Database
from konnect_kit.outbox import Outbox
from konnect_kit.wakeup import Wakeup
from konnect_kit.worker import DrainingWorker
from sqlalchemy import select

from identity.db.accounts import password_reset_requests
from identity.db.password_resets import RESET_REQUESTS_CHANNEL
from identity.service_layer.accounts import send_password_reset_links
from identity.settings import Settings

log = logging.getLogger(__name__)


class PasswordResetWorker(DrainingWorker):
    """Started and stopped with the app (a kit background worker)."""

    name = "identity-password-resets"

    def __init__(self, database: Database, outbox: Outbox, settings: Settings) -> None:
        super().__init__(poll_seconds=settings.reset_poll_seconds,
                         wakeup=Wakeup(database.url, RESET_REQUESTS_CHANNEL))
        self.database, self.outbox, self.settings = database, outbox, settings
        self.handled_total = 0

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
