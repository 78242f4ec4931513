"""The agenda read model's use cases: what a family's stored days are, and reading them for the agenda screen.

A family's days are a pure function of its children, their placements and care changes, and its organisation's
calendar, day parts, groups and locations (nothing depends on the moment they are read), so they are computed
ahead by `planning.agenda_builder` and kept valid by triggers (migration 0006). Pending requests are drawn onto the
days live: a family with one is read the computed way.
"""

import asyncio
from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from konnect_kit.db import Session

from planning.db import agenda as agenda_queries
from planning.db import agenda_days as store
from planning.db.agenda import AgendaContext
from planning.db.agenda_days import StaleFamily, StoredAgenda, StoredDayDetail
from planning.service_layer import calendar as cal

# The span stored around the day it is computed, and how much of it must be left before it is computed again:
# an agenda of the longest range (92 days) from any day of the coming week is always inside.
SPAN_BEFORE, SPAN_AFTER = timedelta(days=28), timedelta(days=120)
KEEP_BEFORE, KEEP_AFTER = timedelta(days=14), timedelta(days=99)
# The builder shares the event loop with the service's requests: it computes this much at a time.
CHUNK = timedelta(days=28)


async def family_days(session: Session, family_id: UUID, start: date, end: date
                      ) -> tuple[list[dict[str, Any]], AgendaContext]:
    """The family's agenda days in [start, end] without pending requests (what the read model stores), with the
    context they were computed from (their children, placements, calendars and group names)."""
    context = replace(await agenda_queries.agenda_context(session, start, end, family=family_id), pending=[])
    days: list[dict[str, Any]] = []
    while start <= end:  # four weeks at a time, letting the requests in between: a span is ~10 ms of Python
        chunk_end = min(start + CHUNK - timedelta(days=1), end)
        days += await cal.agenda_days_of(session, context, start, chunk_end)
        await asyncio.sleep(0)
        start = chunk_end + timedelta(days=1)
    return days, context


async def next_to_build(session: Session, today: date) -> tuple[StaleFamily, date, date] | None:
    """The next family whose days to compute (in this unit of work's snapshot) and the span to compute."""
    stale = await store.next_stale(session, keep_from=today - KEEP_BEFORE, keep_to=today + KEEP_AFTER)
    return None if stale is None else (stale, today - SPAN_BEFORE, today + SPAN_AFTER)


async def store_days(session: Session, family: StaleFamily, days: list[tuple[date, int, str]],
                     details: list[tuple[UUID, date, str]], start: date, end: date) -> None:
    await store.store_days(session, family, days, details, built_from=start, built_to=end)


async def set_aside(session: Session, family_id: UUID) -> None:
    await store.set_aside(session, family_id)


async def stored_agenda(db: cal.Db, start: date, end: date, *, family_id: UUID | None = None,
                        account_id: UUID | str | None = None) -> StoredAgenda:
    """The family (named, or of the parent's account) with its stored days in [start, end], when usable."""
    found = await store.stored_agenda(db, start, end, family=family_id, account=cal.account_uuid(account_id))
    if cal.agenda_enriched():  # something else draws onto the days live: they cannot be stored
        return replace(found, days=None)
    return found


async def stored_day_detail(db: cal.Db, child_id: UUID, day: date, *, account_id: UUID | str | None = None
                            ) -> StoredDayDetail:
    """The child (for the check), the family of the parent's account and the child's stored day, when usable."""
    found = await store.stored_day_detail(db, child_id, day, account=cal.account_uuid(account_id))
    if cal.agenda_enriched():
        return replace(found, detail=None)
    return found
