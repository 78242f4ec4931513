"""The occupancy read model's use cases: which group to count next, over which dates, and storing the counts.

A group's places taken per date and day part are a pure function of its children's placements, care changes and
whether they are deleted (nothing depends on the moment they are read), so `planning.occupancy_builder` counts
them ahead for a span around today, and the availability screen reads them while no change has marked them stale
(migration 0008); until then it counts them itself, the same way.
"""

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from konnect_kit.db import Session

from planning.db import occupancy as store

# The span counted around the day it is counted, and how much of it must be left before it is counted again:
# availability asks about the coming weeks (requests for past dates are refused), a few days back kept for the
# time zones and the day just gone.
SPAN_BEFORE, SPAN_AFTER = timedelta(days=7), timedelta(days=120)
KEEP_BEFORE, KEEP_AFTER = timedelta(days=1), timedelta(days=99)
# Dates counted between two turns of the event loop (the builder shares it with the service's requests).
DATES_AT_ONCE = 8


@dataclass(frozen=True)
class Counting:
    group_id: UUID
    built_from: date
    built_to: date
    dates: list[date] | None  # the dates to count again (None: the whole span, counted anew)

    def days(self) -> list[date]:
        if self.dates is not None:
            return self.dates
        return [self.built_from + timedelta(days=i) for i in range((self.built_to - self.built_from).days + 1)]


async def next_to_count(session: Session, today: date) -> Counting | None:
    """The next group to count and its dates, in this unit of work's snapshot (its stale marks taken)."""
    keep_from, keep_to = today - KEEP_BEFORE, today + KEEP_AFTER
    for group_id in await store.candidates(session, keep_from=keep_from, keep_to=keep_to, n=10):
        taken = await store.take(session, group_id)
        if taken is None:
            continue  # another builder has it
        return counting(taken, today)
    return None


def counting(taken: store.TakenGroup, today: date) -> Counting:
    """The whole span anew when it was never counted or falls short; else only its dates marked stale."""
    start, end = taken.built_from, taken.built_to
    if start is None or end is None or start > today - KEEP_BEFORE or end < today + KEEP_AFTER:
        return Counting(taken.group_id, today - SPAN_BEFORE, today + SPAN_AFTER, None)
    dates: set[date] = set()
    for first, last in taken.stale:
        day, last = max(first, start), min(last, end)
        while day <= last:
            dates.add(day)
            day += timedelta(days=1)
    return Counting(taken.group_id, start, end, sorted(dates))


async def count(session: Session, counting: Counting) -> list[tuple[date, UUID, int]]:
    """(date, day part, places taken) of the group on the dates to count."""
    counts: list[tuple[date, UUID, int]] = []
    for i, day in enumerate(counting.days()):
        counts += [(day, part, taken) for part, taken in await store.counts_on(session, counting.group_id, day)]
        if i % DATES_AT_ONCE == DATES_AT_ONCE - 1:
            await asyncio.sleep(0)
    return counts


async def store_counts(session: Session, counting: Counting, counts: list[tuple[date, UUID, int]]) -> None:
    await store.store(session, counting.group_id, counts, dates=counting.dates, built_from=counting.built_from,
                      built_to=counting.built_to)


async def set_aside(session: Session, group_id: UUID) -> None:
    await store.set_aside(session, group_id)
