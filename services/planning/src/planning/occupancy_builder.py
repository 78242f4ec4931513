"""The occupancy builder: counts each group's places taken per date and day part ahead, one group per transaction.

Triggers (migration 0008) mark a group's dates stale in the same transaction as the change, so availability never
reads counts older than what it would count: it counts them itself until the builder has caught up
(`service_layer.occupancy`). Several instances count at once, each group locked by the one counting it.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from konnect_kit.db import Database, serialization_failure
from konnect_kit.worker import DrainingWorker

from planning.service_layer import occupancy as use

log = logging.getLogger(__name__)


class OccupancyBuilder(DrainingWorker):
    """Polls every `poll_seconds` for groups whose counts are missing, stale or running short."""

    name = "planning-occupancy"

    def __init__(self, database: Database, now: Callable[[], datetime], *, poll_seconds: float) -> None:
        super().__init__(poll_seconds=poll_seconds)
        self.database = database
        self.now = now
        self.counted_total = 0

    async def handle_next(self) -> bool:
        picked = None
        try:
            async with self.database.transaction() as session:
                picked = await use.next_to_count(session, self.now().date())
                if picked is None:
                    return False
                await use.store_counts(session, picked, await use.count(session, picked))
        except Exception as error:
            if picked is None and not serialization_failure(error):
                raise  # the queue itself failed (the database away): the next pass retries
            if picked is not None and not serialization_failure(error):
                # Its dates are counted live meanwhile; the other groups must not wait behind it.
                log.exception("occupancy of group %s not counted", picked.group_id)
                async with self.database.transaction() as session:
                    await use.set_aside(session, picked.group_id)
                return False  # the rest of the queue in the next pass, this group behind it
            return True  # another builder took the same marks first: picked again, from a newer snapshot
        self.counted_total += 1
        return True
