"""The agenda builder: computes each family's agenda days ahead into the read model, one family per transaction.

Triggers (migration 0006) mark a family's stored days out of date in the same transaction as the change, so the
agenda screen never reads days older than what it would compute: it computes them itself until the builder has
caught up (`service_layer.agenda_days`). Several instances build at once, each family locked by the one computing
it; a family changed between an instance's snapshot and its lock ends in a serialization failure, and is picked
again.
"""

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from konnect_kit.answers import answer_bytes
from konnect_kit.db import Database, Session
from konnect_kit.read_model_builder import ReadModelBuilder

from planning.api.calendar_models import day_detail_from, stored_day_detail
from planning.db.agenda_days import StaleFamily
from planning.service_layer import agenda_days as use

# Day details written between two turns of the event loop (~20 us each).
_DETAILS_AT_ONCE = 50


def stored_rows(days: list[dict[str, Any]]) -> list[tuple[date, int, str]]:
    """(date, position within the date, the day as the answer writes it) for days in the agenda's order."""
    rows, position, last = [], 0, None
    for day in days:
        position = position + 1 if day["date"] == last else 0
        last = day["date"]
        rows.append((day["date"], position, answer_bytes(day).decode()))
    return rows


def stored_details(days: list[dict[str, Any]], context: Any) -> list[tuple[UUID, date, str]]:
    """(child, date, the day detail answer as stored) for each of the family's agenda days."""
    kids = {kid.child_id: kid for kid in context.kids}
    made = datetime(2000, 1, 1, tzinfo=UTC)  # each read writes its own moment in its place
    return [(day["child_id"], day["date"], stored_day_detail(day_detail_from(
        context, kids[day["child_id"]], day["date"], [day], context.calendars[kids[day["child_id"]].organisation_id],
        made))) for day in days]


class AgendaBuilder(ReadModelBuilder[tuple[StaleFamily, date, date]]):
    """Polls every `poll_seconds` for families whose stored days are missing, out of date or running short."""

    name = "planning-agenda-days"
    what = "agenda days of family"

    def __init__(self, database: Database, now: Callable[[], datetime], *, poll_seconds: float) -> None:
        super().__init__(database, poll_seconds=poll_seconds)
        self.now = now

    async def pick(self, session: Session) -> tuple[StaleFamily, date, date] | None:
        return await use.next_to_build(session, self.now().date())

    async def build(self, session: Session, picked: tuple[StaleFamily, date, date]) -> None:
        family, start, end = picked
        days, context = await use.family_days(session, family.family_id, start, end)
        details = []
        for first in range(0, len(days), _DETAILS_AT_ONCE):  # the requests in between get their turn
            details += stored_details(days[first:first + _DETAILS_AT_ONCE], context)
            await asyncio.sleep(0)
        await use.store_days(session, family, stored_rows(days), details, start, end)

    async def set_aside(self, session: Session, picked: tuple[StaleFamily, date, date]) -> None:
        # Its agenda is read the computed way meanwhile; the others must not wait behind it.
        await use.set_aside(session, picked[0].family_id)

    def describe(self, picked: tuple[StaleFamily, date, date]) -> str:
        return str(picked[0].family_id)
