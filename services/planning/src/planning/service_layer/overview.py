"""The request overview: every request and absence of a family, per child status and whether it can be cancelled."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from konnect_kit.db import Reader, Session
from konnect_kit.internal import Caller

from planning.db import overview as queries
from planning.domain.calendar import OrgCalendar
from planning.domain.periods import cancel_blocked_reason
from planning.service_layer.callers import allowed_family, family_key

# The status a child's lines show together: anything open wins, then what was decided, then withdrawals.
_PRECEDENCE = ("pending", "accepted", "rejected", "expired", "cancelled")


def child_status(statuses: Sequence[str]) -> str:
    return next(s for s in _PRECEDENCE if s in statuses)


def first_date(line: Any) -> date:
    return min([*line.dates, *([line.give_up_date] if line.give_up_date else [])])


def child_cancel_blocked(lines: Sequence[Any], calendar: OrgCalendar, now: datetime) -> str | None:
    """None when the child's lines can be cancelled now; otherwise the reason the parent reads."""
    pending = [line for line in lines if line.status == "pending"]
    if not pending:
        return f"This request is {child_status([line.status for line in lines])}; only pending requests can be " \
               "cancelled."
    return cancel_blocked_reason(min(first_date(line) for line in pending), now, calendar.time_zone,
                                 calendar.cancel_window_hours)


_LINE_FIELDS = ("line_id", "child_id", "group_id", "care_type", "starts_on", "ends_on", "dates", "day_part_ids",
                "minutes", "payment", "credit_id", "credit_amount", "price", "give_up_date", "give_up_day_part_ids",
                "target_date", "forfeited_minutes", "status", "reason", "evaluation_outcome", "evaluation_reason",
                "evaluated_by", "evaluated_at", "reservation_status", "reservation_reason")


def _line(row: Any) -> dict[str, Any]:
    """LineOut's content in its field order; amounts as the text LineOut writes for them (str of the Decimal), so
    the overview can be written as it is (konnect_kit.answers) and the other answers validate the same dict."""
    line = {k: getattr(row, k) for k in _LINE_FIELDS}
    for key in ("credit_amount", "price"):
        if line[key] is not None:
            line[key] = str(line[key])
    return line


def request_view(request: Any, lines: Sequence[Any], calendar: OrgCalendar, now: datetime) -> dict[str, Any]:
    children: dict[UUID, list[Any]] = {}
    for line in lines:
        children.setdefault(line.child_id, []).append(line)
    per_child = []
    for child_id, own in children.items():
        blocked = child_cancel_blocked(own, calendar, now)
        per_child.append({"child_id": child_id, "status": child_status([x.status for x in own]),
                          "can_cancel": blocked is None, "cancel_blocked_reason": blocked,
                          "lines": [_line(x) for x in own]})
    return {"request_id": request.request_id, "organisation_id": request.organisation_id,
            "family_id": request.family_id, "kind": request.kind, "all_or_nothing": request.all_or_nothing,
            "expires_on": request.expires_on, "submitted_at": request.submitted_at,
            "decided_at": request.decided_at, "status": child_status([x.status for x in lines]),
            "children": per_child}


def absence_view(row: Any, calendar: OrgCalendar, now: datetime) -> dict[str, Any]:
    blocked = f"This absence is {row.status}." if row.status != "registered" else cancel_blocked_reason(
        row.starts_on, now, calendar.time_zone, calendar.cancel_window_hours)
    return {"absence_id": row.absence_id, "child_id": row.child_id, "starts_on": row.starts_on,
            "ends_on": row.ends_on, "day_part_ids": row.day_part_ids, "reason": row.reason, "note": row.note,
            "status": row.status, "reported_at": row.reported_at, "can_cancel": blocked is None,
            "cancel_blocked_reason": blocked}


async def family_overview(reader: Reader, who: Caller, family_id: UUID | None, now: datetime) -> dict[str, Any]:
    """The overview of the family the caller may see (callers.family_for's rules), from one statement."""
    account, named = family_key(who, family_id)
    found = await queries.family_overview(reader, account=account, family=named)
    family = allowed_family(who, family_id, found.family if found else None)
    assert found is not None  # allowed_family refused otherwise
    return {"family_id": family.family_id,
            "requests": [request_view(r, found.lines[r.request_id], found.calendar, now) for r in found.requests],
            "absences": [absence_view(a, found.calendar, now) for a in found.absences]}


async def evaluation_queue(session: Session, organisation_id: UUID, calendar: OrgCalendar, now: datetime,
                           limit: int) -> list[dict[str, Any]]:
    """Requests of the organisation with a line still waiting for an evaluation, oldest first."""
    rows, lines = await queries.waiting_requests(session, organisation_id, limit)
    return [request_view(r, lines[r.request_id], calendar, now) for r in rows]
