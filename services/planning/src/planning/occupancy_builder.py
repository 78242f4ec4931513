"""The occupancy builder: counts each group's places taken per date and day part ahead, one group per transaction.

Triggers (migration 0008) mark a group's dates stale in the same transaction as the change, so availability never
reads counts older than what it would count: it counts them itself until the builder has caught up
(`service_layer.occupancy`). Several instances count at once, each group locked by the one counting it.
"""

from collections.abc import Callable
from datetime import datetime

from konnect_kit.db import Database, Session
from konnect_kit.read_model_builder import ReadModelBuilder

from planning.service_layer import occupancy as use


class OccupancyBuilder(ReadModelBuilder[use.Counting]):
    """Polls every `poll_seconds` for groups whose counts are missing, stale or running short."""

    name = "planning-occupancy"
    what = "occupancy of group"

    def __init__(self, database: Database, now: Callable[[], datetime], *, poll_seconds: float) -> None:
        super().__init__(database, poll_seconds=poll_seconds)
        self.now = now

    async def pick(self, session: Session) -> use.Counting | None:
        return await use.next_to_count(session, self.now().date())

    async def build(self, session: Session, picked: use.Counting) -> None:
        await use.store_counts(session, picked, await use.count(session, picked))

    async def set_aside(self, session: Session, picked: use.Counting) -> None:
        await use.set_aside(session, picked.group_id)

    def describe(self, picked: use.Counting) -> str:
        return str(picked.group_id)
