"""The pruning worker: uploads never confirmed (objects in S3 and rows) and idempotency keys past their retention;
driven by the app's clock so tests move time instead of waiting for it. Sent messages and confirmed attachments
are never touched."""

from collections.abc import Callable
from datetime import datetime

from konnect_kit.db import Database
from konnect_kit.media import MediaStore
from konnect_kit.worker import DrainingWorker

from messaging.service_layer.attachments import prune_unconfirmed
from messaging.service_layer.idempotency import forget_old_keys

BATCH = 100


class PruningWorker(DrainingWorker):
    """Each `handle_next` is one transaction on one batch; a pass ends when neither kind has work."""

    name = "messaging-pruning"

    def __init__(self, database: Database, store: MediaStore, now: Callable[[], datetime], *,
                 poll_seconds: float) -> None:
        super().__init__(poll_seconds=poll_seconds)
        self.database, self.store, self.now = database, store, now
        self.pruned_uploads = self.pruned_keys = 0

    async def handle_next(self) -> bool:
        now = self.now()
        async with self.database.transaction() as session:
            uploads = await prune_unconfirmed(session, self.store, now, BATCH)
            keys = 0 if uploads else await forget_old_keys(session, now, BATCH)
        self.pruned_uploads += uploads
        self.pruned_keys += keys
        return bool(uploads or keys)
