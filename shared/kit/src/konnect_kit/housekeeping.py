"""Housekeeping of the kit's own tables in every service: outbox rows long published, consumer inbox ids past
their retention. Without it both grow by every event a service ever sent or applied.

- A published outbox row is only history once Kafka has the event (the relay never reads it again): kept
  `outbox_retention` (7 days by default) for an operator looking into a flow, then deleted. Unpublished rows are
  never deleted, however old: they are events still to be sent.
- An inbox id is what makes a redelivered event a no-op. It must be kept as long as Kafka may deliver that event
  again: longer than the retention of every topic the service reads (Kafka's default is 7 days; the inbox's 30).
  A compacted topic keeps its latest record per key for ever, so a consumer whose offsets expired reads it again
  with no id left to stop it: those topics carry full current state, versioned (the directory) or registrations
  (ERP clients), which their handlers apply again without effect.

Deleted in batches, each its own short transaction (no long lock, no burst of WAL), one instance at a time per
database (an advisory lock: several instances of a service share the work, none repeats it).
"""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from konnect_kit.db import Database, driver
from konnect_kit.worker import DrainingWorker

log = logging.getLogger(__name__)

# One key for every service: each service has its own database, and the lock is per database.
_LOCK = "SELECT pg_try_advisory_xact_lock(hashtextextended('konnect_kit.housekeeping', 0))"
# The oldest first, by the primary key (rows are written in id order), up to the batch: no scan of the table.
_OUTBOX = ("DELETE FROM kit_outbox WHERE id IN (SELECT id FROM kit_outbox WHERE published_at < $1 "
           "ORDER BY id LIMIT $2)")
_INBOX = ("DELETE FROM kit_inbox WHERE (consumer, event_id) IN (SELECT consumer, event_id FROM kit_inbox "
          "WHERE processed_at < $1 LIMIT $2)")


def _now() -> datetime:
    return datetime.now(UTC)


class Housekeeping(DrainingWorker):
    """Started and stopped with the service (`ServiceKit`); a pass every `every_seconds`, the first at start."""

    name = "kit-housekeeping"

    def __init__(self, database: Database, *, outbox_retention: timedelta, inbox_retention: timedelta,
                 every_seconds: float, batch_size: int = 5000, clock: Callable[[], datetime] = _now) -> None:
        super().__init__(poll_seconds=every_seconds)
        self.database = database
        self.outbox_retention, self.inbox_retention = outbox_retention, inbox_retention
        self.batch_size = batch_size
        self.clock = clock
        self.deleted_total = 0

    async def drain(self) -> int:
        """One pass: every row past its retention, batch by batch; how many were deleted."""
        now = self.clock()
        deleted = 0
        for table, statement, cutoff in (("kit_outbox", _OUTBOX, now - self.outbox_retention),
                                         ("kit_inbox", _INBOX, now - self.inbox_retention)):
            from_table = 0
            while not self.stopping:
                batch = await self._delete_batch(statement, cutoff)
                if batch is None:  # another instance is at it: this pass is its
                    break
                from_table += batch
                if batch < self.batch_size:
                    break
            if from_table:
                log.info("kit table kept to its retention", extra={"table": table, "deleted": from_table})
            deleted += from_table
        self.deleted_total += deleted
        return deleted

    async def _delete_batch(self, statement: str, cutoff: datetime) -> int | None:
        async with self.database.transaction() as session:
            connection = await driver(session)
            if not await connection.fetchval(_LOCK):
                return None
            status = await connection.execute(statement, cutoff, self.batch_size)
        return int(status.rsplit(" ", 1)[1])  # "DELETE n"
