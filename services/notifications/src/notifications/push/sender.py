"""The push channel of the delivery queue: one FCM message per device, a disowned token is forgotten."""

import asyncio
import logging

from konnect_kit.db import Database
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.deliveries import PUSH, PUSH_CHANNEL, DueDelivery
from notifications.db.devices import forget_token
from notifications.domain.delivery import RetryPolicy
from notifications.push.fcm import BoundedFCM, device_is_gone, message_refused
from notifications.queue_worker import QueueWorker
from notifications.settings import Settings

log = logging.getLogger(__name__)


class PushSender(QueueWorker):
    channel = PUSH
    wake_channel = PUSH_CHANNEL

    def __init__(self, database: Database, settings: Settings) -> None:
        super().__init__(database, RetryPolicy(settings.push_max_attempts, settings.push_backoff_initial_seconds,
                                               settings.push_backoff_max_seconds), settings.push_poll_seconds)
        assert settings.fcm_service_account_file, "push needs a service account file"
        self.settings = settings
        self.fcm = BoundedFCM(settings.fcm_service_account_file, settings.fcm_project_id, settings.fcm_endpoint_base)

    async def deliver(self, due: DueDelivery, lane: int = 0) -> None:
        timeout = self.settings.push_timeout_seconds
        # pyfcm is blocking (requests): off the event loop, and bounded twice (HTTP timeout and our own).
        await asyncio.wait_for(asyncio.to_thread(
            self.fcm.notify, fcm_token=due.recipient, notification_title=due.subject,
            notification_body=due.body_text, data_payload={"kind": due.kind, "event_id": str(due.event_id)},
            timeout=timeout), timeout=timeout * 3)

    def is_permanent(self, exc: BaseException) -> bool:
        return device_is_gone(exc) or message_refused(exc)

    def is_outage(self, exc: BaseException) -> bool:
        return not self.is_permanent(exc)  # FCM or its token endpoint unreachable, throttling, auth trouble

    async def after_final_failure(self, session: AsyncSession, due: DueDelivery, exc: BaseException) -> None:
        if device_is_gone(exc):
            removed = await forget_token(session, due.recipient)
            log.info("push device forgotten: FCM no longer knows it", extra={"devices": removed,
                                                                          "delivery_id": str(due.delivery_id)})
