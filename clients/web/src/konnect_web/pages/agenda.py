"""Agenda: the family's planned days by week or month, and one child's day in detail."""

import calendar
from datetime import date, timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from konnect_web.family import api, parents_only
from konnect_web.web import render

router = APIRouter(dependencies=[Depends(parents_only)])


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value) if value else date.today()
    except ValueError:
        return date.today()


def period(view: str, around: date) -> tuple[date, date, date, date]:
    """(first, last, previous, next) of the week (Monday..Sunday) or month around a date."""
    if view == "month":
        first = around.replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        return first, last, (first - timedelta(days=1)).replace(day=1), last + timedelta(days=1)
    first = around - timedelta(days=around.weekday())
    return first, first + timedelta(days=6), first - timedelta(days=7), first + timedelta(days=7)


@router.get("/agenda")
async def agenda(request: Request, view: str = "week", day: str | None = None) -> Response:
    view = "month" if view == "month" else "week"
    first, last, previous, following = period(view, _day(day))
    data = await api(request, "GET", "/agenda", params={"from": first.isoformat(), "to": last.isoformat()})
    by_date: dict[str, list[dict]] = {}
    for entry in data["days"]:
        by_date.setdefault(entry["date"], []).append(entry)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    # Weeks of the month grid start on Monday; blanks before the first day.
    weeks = []
    if view == "month":
        cells: list[date | None] = [None] * first.weekday() + days
        cells += [None] * (-len(cells) % 7)
        weeks = [cells[i:i + 7] for i in range(0, len(cells), 7)]
    return render(request, "agenda.html", view=view, first=first, last=last, previous=previous,
                  following=following, days=days, weeks=weeks, by_date=by_date, today=date.today())


@router.get("/agenda/{child_id}/{day}")
async def day_detail(request: Request, child_id: str, day: str) -> Response:
    detail = await api(request, "GET", f"/agenda/{child_id}/{_day(day).isoformat()}")
    return render(request, "day.html", detail=detail, day=_day(day))
