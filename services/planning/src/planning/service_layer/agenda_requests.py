"""Shows pending request lines in the agenda ("Optie extra"): on planned days, and as days of their own."""

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

from planning.db.agenda import Kid, PendingLine
from planning.domain.calendar import OrgCalendar


def add_pending_requests(lines: Iterable[PendingLine], kids: Mapping[UUID, Kid], calendars: Mapping[UUID, OrgCalendar],
                         start: date, end: date, days: list[dict[str, Any]]) -> None:
    """Every pending line on the dates it touches (target dates and given-up dates) in [start, end].

    `kids` are the family's children shown; `calendars` holds the calendar of every line's organisation.
    """
    by_key = {(d["date"], d["child_id"]): d for d in days}
    for line in lines:
        touched = [(d, "swap_target" if line.kind == "swap" else "extra_day", line.day_part_ids) for d in line.dates]
        if line.give_up_date is not None:
            touched.append((line.give_up_date, "swap_give_up", line.give_up_day_part_ids))
        for day, role, parts in touched:
            if not start <= day <= end or line.child_id not in kids:
                continue
            entry = {"request_id": line.request_id, "line_id": line.line_id, "kind": line.kind, "role": role,
                     "status": line.status, "day_part_ids": list(parts), "expires_on": line.expires_on}
            target = by_key.get((day, line.child_id))
            if target is None:
                target = _bare_day(kids[line.child_id], day, line.group_id, calendars[line.organisation_id])
                days.append(target)
                by_key[(day, line.child_id)] = target
            target.setdefault("requests", []).append(entry)


def _bare_day(kid: Kid, day: date, group_id: UUID, calendar: OrgCalendar) -> dict[str, Any]:
    # A date with no planned care yet: only the pending request puts it in the agenda.
    return {"date": day, "child_id": kid.child_id, "first_name": kid.first_name, "last_name": kid.last_name,
            "group_id": group_id, "group_name": None, "location_id": None, "location_name": None,
            "open": calendar.is_open(day), "closing_reason": calendar.closing_reason(day), "parts": [],
            "requests": []}
