"""The feed builder: finds each family's newest feed items ahead into the read model, one family per transaction.

Triggers (migration 0009) mark a family in the same transaction as a change to what its items are made of, so
the feed never reads items older than what it would find: it finds them live until the builder has caught up
(`db.feed_read`). Several instances build at once, each family locked by the one building it.
"""

from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.read_model_builder import ReadModelBuilder

from timeline.service_layer import feed_items as use


class FeedBuilder(ReadModelBuilder[UUID]):
    """Polls every `poll_seconds` for families marked since they were built (or never built)."""

    name = "timeline-feed"
    what = "feed of family"

    async def pick(self, session: Session) -> UUID | None:
        return await use.next_family(session)

    async def build(self, session: Session, picked: UUID) -> None:
        await use.build(session, picked)

    async def set_aside(self, session: Session, picked: UUID) -> None:
        await use.set_aside(session, picked)
