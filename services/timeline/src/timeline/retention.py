"""The retention worker: uploads never confirmed (every pass) and, once a day, media past each organisation's
photo retention; driven by the app's clock so tests move time instead of waiting for it."""

from collections.abc import Callable, Sequence
from datetime import datetime

from konnect_kit.db import Database
from konnect_kit.media import MediaStore
from konnect_kit.worker import DrainingWorker

from timeline.service_layer import retention
from timeline.service_layer.retention import RetainedMedia


class RetentionWorker(DrainingWorker):
    """Each `handle_next` is one transaction: a batch of unconfirmed uploads, the day's claim, or one batch of
    one organisation's expired media. A pass ends when none of these has work."""

    name = "timeline-retention"

    def __init__(self, database: Database, store: MediaStore, now: Callable[[], datetime], *,
                 targets: Sequence[RetainedMedia], poll_seconds: float) -> None:
        super().__init__(poll_seconds=poll_seconds)
        self.database, self.store, self.now, self.targets = database, store, now, targets
        self._running_day: object = None  # the day whose expired media this instance is deleting
        self._done_day: object = None  # the day whose run is over (here or on another instance)
        self.deleted_total = 0

    async def handle_next(self) -> bool:
        now = self.now()
        async with self.database.transaction() as session:
            if await retention.delete_unconfirmed(session, self.store, now):
                return True
            today = now.date()
            if self._done_day == today:
                return False
            if self._running_day != today:
                if not await retention.claim_day(session, now):
                    self._done_day = today  # another instance runs (or ran) today's retention
                    return False
                self._running_day = today
                return True
            for organisation_id, months in await retention.organisations_with_retention(session):
                for target in self.targets:
                    deleted = await retention.delete_expired_batch(session, self.store, target, organisation_id,
                                                                   months, now)
                    if deleted:
                        self.deleted_total += deleted
                        return True
        self._done_day = today
        return False
