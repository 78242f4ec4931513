"""Read-path queries of the request overview and the evaluation queue: requests with their lines, absences."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from konnect_kit.db import Handle, Query, first
from sqlalchemy import Row, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from planning.db.agenda import FAMILY_OF_CALLER, REFERENCE_VERSION, _load, family_record, organisation_reference
from planning.db.requests import request_lines, requests
from planning.db.schedule import FamilyRecord
from planning.domain.calendar import OrgCalendar

# The parent's screen in one round trip: the family (by the parent's account, or named by staff), its
# organisation's calendar (its version: the calendar itself is held in the process), every request with its lines
# and every absence. Numbers travel as text (no float).
_OVERVIEW = Query(text(f"""WITH {FAMILY_OF_CALLER},
kids AS (SELECT organisation_id FROM fam)
SELECT (SELECT row_to_json(fam) FROM fam) AS family,
       {REFERENCE_VERSION} AS reference_version,
       (SELECT coalesce(json_agg(json_build_object(
           'request_id', r.request_id, 'organisation_id', r.organisation_id, 'family_id', r.family_id,
           'kind', r.kind, 'all_or_nothing', r.all_or_nothing, 'expires_on', r.expires_on,
           'submitted_at', r.submitted_at, 'decided_at', r.decided_at,
           'lines', (SELECT coalesce(json_agg(json_build_object(
               'line_id', l.line_id, 'child_id', l.child_id, 'group_id', l.group_id, 'care_type', l.care_type,
               'starts_on', l.starts_on, 'ends_on', l.ends_on, 'dates', l.dates, 'day_part_ids', l.day_part_ids,
               'minutes', l.minutes, 'payment', l.payment, 'credit_id', l.credit_id,
               'credit_amount', l.credit_amount::text, 'price', l.price::text, 'give_up_date', l.give_up_date,
               'give_up_day_part_ids', l.give_up_day_part_ids, 'target_date', l.target_date,
               'forfeited_minutes', l.forfeited_minutes, 'status', l.status, 'reason', l.reason,
               'evaluation_outcome', l.evaluation_outcome, 'evaluation_reason', l.evaluation_reason,
               'evaluated_by', l.evaluated_by, 'evaluated_at', l.evaluated_at,
               'reservation_status', l.reservation_status, 'reservation_reason', l.reservation_reason)
               ORDER BY l.position), '[]') FROM request_lines l WHERE l.request_id = r.request_id))
           ORDER BY r.submitted_at DESC, r.request_id), '[]')
        FROM requests r WHERE r.family_id = (SELECT family_id FROM fam)) AS requests,
       (SELECT coalesce(json_agg(json_build_object(
           'absence_id', a.absence_id, 'child_id', a.child_id, 'starts_on', a.starts_on, 'ends_on', a.ends_on,
           'day_part_ids', a.day_part_ids, 'reason', a.reason, 'note', a.note, 'status', a.status,
           'reported_at', a.reported_at) ORDER BY a.starts_on DESC, a.absence_id), '[]')
        FROM absences a WHERE a.family_id = (SELECT family_id FROM fam)) AS absences"""))


@dataclass(frozen=True)
class Overview:
    """A family's requests (newest first, attribute access like table rows) with their lines, and absences."""

    family: FamilyRecord
    calendar: OrgCalendar  # the organisation's (held: `agenda.organisation_reference`)
    requests: list[Any]
    lines: dict[UUID, list[Any]]
    absences: list[Any]


_UUIDS = ("request_id", "organisation_id", "family_id", "line_id", "child_id", "group_id", "credit_id", "absence_id")
_DATES = ("expires_on", "starts_on", "ends_on", "give_up_date", "target_date")
_MOMENTS = ("submitted_at", "decided_at", "evaluated_at", "reported_at")


def _typed(raw: dict[str, Any]) -> SimpleNamespace:
    # JSON back to the column types the table rows had (the answers are built from them as before).
    values = dict(raw)
    for key, value in raw.items():
        if value is None:
            continue
        if key in _UUIDS:
            values[key] = UUID(value)
        elif key in _DATES:
            values[key] = date.fromisoformat(value)
        elif key in _MOMENTS:
            values[key] = datetime.fromisoformat(value).astimezone(UTC)
        elif key in ("credit_amount", "price"):
            values[key] = Decimal(value)
        elif key == "dates":
            values[key] = [date.fromisoformat(d) for d in value]
        elif key in ("day_part_ids", "give_up_day_part_ids"):
            values[key] = [UUID(i) for i in value]
    return SimpleNamespace(**values)


async def family_overview(db: Handle, *, account: UUID | None, family: UUID | None) -> Overview | None:
    """The overview of family `family`, or of the family of parent `account`; None when there is no such family."""
    row = await first(db, _OVERVIEW, account=account, family=family)
    record = family_record(_load(row.family))
    if record is None:
        return None
    listed = [_typed(r) for r in _load(row.requests)]
    lines = {r.request_id: [_typed(line) for line in r.lines] for r in listed}
    calendar = (await organisation_reference(db, record.organisation_id, row.reference_version)).calendar
    return Overview(record, calendar, listed, lines,
                    [_typed(a) for a in _load(row.absences)])


async def _lines_of(session: AsyncSession, rows: list[Row]) -> dict[UUID, list[Row]]:
    lines: dict[UUID, list[Row]] = {r.request_id: [] for r in rows}
    if rows:
        for line in await session.execute(select(request_lines).where(request_lines.c.request_id.in_(list(lines)))
                                          .order_by(request_lines.c.position)):
            lines[line.request_id].append(line)
    return lines


async def waiting_requests(session: AsyncSession, organisation_id: UUID, limit: int
                           ) -> tuple[list[Row], dict[UUID, list[Row]]]:
    """Requests of the organisation with a line still waiting for an evaluation, oldest first, with their lines."""
    waiting = (select(request_lines.c.request_id)
               .where(request_lines.c.status == "pending", request_lines.c.evaluation_outcome.is_(None))
               .distinct().scalar_subquery())
    rows = list(await session.execute(
        select(requests).where(requests.c.organisation_id == organisation_id, requests.c.request_id.in_(waiting))
        .order_by(requests.c.submitted_at, requests.c.request_id).limit(limit)))
    return rows, await _lines_of(session, rows)


async def request_by_id(session: AsyncSession, request_id: UUID, organisation_id: UUID | None) -> Row | None:
    """The request, inside `organisation_id` when given (a tenant bound)."""
    query = select(requests).where(requests.c.request_id == request_id)
    if organisation_id is not None:
        query = query.where(requests.c.organisation_id == organisation_id)
    return (await session.execute(query)).first()
