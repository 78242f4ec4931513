"""Shows pending request lines in the agenda ("Optie extra"): on planned days, and as days of their own."""

from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from planning.db.requests import request_lines, requests
from planning.service_layer.calendar import children_of_family, organisation_calendar


async def add_pending_requests(session: AsyncSession, family_id: UUID, start: date, end: date,
                               days: list[dict[str, Any]]) -> None:
    """Agenda enricher: every pending line on the dates it touches (target dates and given-up dates)."""
    rows = list(await session.execute(
        select(request_lines, requests.c.kind, requests.c.organisation_id, requests.c.expires_on)
        .join(requests, requests.c.request_id == request_lines.c.request_id)
        .where(requests.c.family_id == family_id, request_lines.c.status == "pending")))
    if not rows:
        return
    by_key = {(d["date"], d["child_id"]): d for d in days}
    kids = {k.child_id: k for k in await children_of_family(session, family_id)}
    for line in rows:
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
                target = await _bare_day(session, kids[line.child_id], day, line.group_id, line.organisation_id)
                days.append(target)
                by_key[(day, line.child_id)] = target
            target.setdefault("requests", []).append(entry)


async def _bare_day(session: AsyncSession, kid: Any, day: date, group_id: UUID, organisation_id: UUID
                    ) -> dict[str, Any]:
    # A date with no planned care yet: only the pending request puts it in the agenda.
    calendar = await organisation_calendar(session, organisation_id)
    return {"date": day, "child_id": kid.child_id, "first_name": kid.first_name, "last_name": kid.last_name,
            "group_id": group_id, "group_name": None, "location_id": None, "location_name": None,
            "open": calendar.is_open(day), "closing_reason": calendar.closing_reason(day), "parts": [],
            "requests": []}
