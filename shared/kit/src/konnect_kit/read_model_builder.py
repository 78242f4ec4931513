"""A read model's builder: one item (a family, a group) per transaction, picked and locked in a snapshot.

A change committed meanwhile ends the transaction in a serialization failure, and the item is picked again from a
newer snapshot; any other failure logs the item, sets it aside (read live meanwhile) and ends the pass, so the rest
of the queue is not stuck behind it.
"""

import logging
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from konnect_kit.db import Database, serialization_failure
from konnect_kit.worker import DrainingWorker

log = logging.getLogger(__name__)

Picked = TypeVar("Picked")


class ReadModelBuilder(DrainingWorker, Generic[Picked]):
    """Subclasses say how an item is picked (`pick`), built (`build`) and set aside (`set_aside`)."""

    what = "item"  # what an item is, for the log

    def __init__(self, database: Database, *, poll_seconds: float) -> None:
        super().__init__(poll_seconds=poll_seconds)
        self.database = database
        self.built_total = 0

    async def pick(self, session: AsyncSession) -> Picked | None:
        """The next item, taken for this unit of work (None: nothing to build)."""
        raise NotImplementedError

    async def build(self, session: AsyncSession, picked: Picked) -> None:
        raise NotImplementedError

    async def set_aside(self, session: AsyncSession, picked: Picked) -> None:
        """An item that could not be built: behind the others in the queue, unusable until built."""
        raise NotImplementedError

    def describe(self, picked: Picked) -> str:
        return str(picked)

    async def handle_next(self) -> bool:
        picked = None
        try:
            async with self.database.transaction() as session:
                picked = await self.pick(session)
                if picked is None:
                    return False
                await self.build(session, picked)
        except Exception as error:
            if serialization_failure(error):
                return True  # another builder or a change came first: picked again, from a newer snapshot
            if picked is None:
                raise  # the queue itself failed (the database away): the next pass retries
            log.exception("%s %s not built", self.what, self.describe(picked), extra={"worker": self.name})
            async with self.database.transaction() as session:
                await self.set_aside(session, picked)
            return False  # the rest of the queue in the next pass, this one behind it
        self.built_total += 1
        return True
