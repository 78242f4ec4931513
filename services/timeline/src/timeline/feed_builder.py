"""The feed builder: finds each family's newest feed items ahead into the read model, one family per transaction.

Triggers (migration 0009) mark a family in the same transaction as a change to what its items are made of, so
the feed never reads items older than what it would find: it finds them live until the builder has caught up
(`db.feed_read`). Several instances build at once, each family locked by the one building it.
"""

import logging

from konnect_kit.db import Database, serialization_failure
from konnect_kit.worker import DrainingWorker

from timeline.service_layer import feed_items as use

log = logging.getLogger(__name__)


class FeedBuilder(DrainingWorker):
    """Polls every `poll_seconds` for families marked since they were built (or never built)."""

    name = "timeline-feed"

    def __init__(self, database: Database, *, poll_seconds: float) -> None:
        super().__init__(poll_seconds=poll_seconds)
        self.database = database
        self.built_total = 0

    async def handle_next(self) -> bool:
        picked = None
        try:
            async with self.database.transaction() as session:
                picked = await use.next_family(session)
                if picked is None:
                    return False
                await use.build(session, picked)
        except Exception as error:
            if picked is None and not serialization_failure(error):
                raise  # the queue itself failed (the database away): the next pass retries
            if picked is not None and not serialization_failure(error):
                # Its feed is read live meanwhile; the other families must not wait behind it.
                log.exception("feed of family %s not built", picked)
                async with self.database.transaction() as session:
                    await use.set_aside(session, picked)
                return False  # the rest of the queue in the next pass, this family behind it
            return True  # another builder took the same family first: picked again, from a newer snapshot
        self.built_total += 1
        return True
