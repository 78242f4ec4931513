"""Aanvragen: extra day (availability, prices, several children, period, expiry, invoice or credit), swap (the
forfeited remainder shown before sending), absence, and the overview with cancel or the reason why not."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from konnect_web.family import api, children, parents_only
from konnect_web.gateway import ApiError
from konnect_web.i18n import N_
from konnect_web.web import redirect, render

router = APIRouter(dependencies=[Depends(parents_only)])


def _date(value: str | None, default: date | None = None) -> date | None:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _refusal(error: ApiError) -> dict[str, str]:
    """A refusal shown on the form: our sentence plus the API's own explanation."""
    return {"title": N_("The request was not accepted."), "detail": error.message}


# --- overview -------------------------------------------------------------------------------------------------

@router.get("/requests")
async def overview(request: Request, done: str = "") -> Response:
    data = await api(request, "GET", "/requests")
    kids = {c["child_id"]: c for c in await children(request)}
    data["requests"].sort(key=lambda r: r["submitted_at"], reverse=True)
    data["absences"].sort(key=lambda a: a["reported_at"], reverse=True)
    return render(request, "requests.html", data=data, kids=kids, done=done)


@router.post("/requests/{request_id}/children/{child_id}/cancel")
async def cancel_request(request: Request, request_id: str, child_id: str) -> Response:
    await api(request, "POST", f"/requests/{request_id}/children/{child_id}/cancel")
    return redirect("/requests?done=cancelled", request)


@router.post("/absences/{absence_id}/cancel")
async def cancel_absence(request: Request, absence_id: str) -> Response:
    await api(request, "POST", f"/absences/{absence_id}/cancel")
    return redirect("/requests?done=cancelled", request)


# --- extra day ------------------------------------------------------------------------------------------------

async def _options(request: Request, kids: list[dict], chosen: list[str], day: date) -> list[dict[str, Any]]:
    """Per chosen child: availability (day parts, possible or why not, price) and usable credits."""
    found = []
    for child in kids:
        if child["child_id"] not in chosen:
            continue
        availability = await api(request, "GET", f"/availability/{child['child_id']}/{day.isoformat()}")
        credits: list[dict] = []
        if child["care_type"]:
            usable = await api(request, "GET", f"/children/{child['child_id']}/credits/usable",
                               params={"starts_on": day.isoformat(), "ends_on": day.isoformat(),
                                       "care_type": child["care_type"]})
            # The most left first: the arrow key from "on the invoice" lands on the likeliest credit.
            credits = sorted(usable["items"], key=lambda c: Decimal(c["usable"]), reverse=True)
        found.append({"child": child, "availability": availability, "credits": credits})
    return found


@router.get("/requests/new/extra-day")
async def extra_day_form(request: Request, day: str = "",
                         child: Annotated[list[str] | None, Query()] = None) -> Response:
    kids = await children(request)
    chosen = child or [k["child_id"] for k in kids]
    on = _date(day)
    options = await _options(request, kids, chosen, on) if on else []
    return render(request, "extra_day.html", kids=kids, chosen=chosen, day=on, options=options, error=None,
                  values={}, default_expiry=(on or date.today()) - timedelta(days=1))


@router.post("/requests/new/extra-day")
async def extra_day(request: Request) -> Response:
    form = await request.form()
    kids = await children(request)
    starts_on = _date(str(form.get("starts_on", "")))
    ends_on = _date(str(form.get("ends_on", ""))) or starts_on
    bookings_children = []
    for kid in kids:
        parts = [str(p) for p in form.getlist(f"parts_{kid['child_id']}")]
        if not parts:
            continue
        pay = str(form.get(f"pay_{kid['child_id']}", "invoice"))
        bookings_children.append({"child_id": kid["child_id"], "day_part_ids": parts,
                                  **({"payment": "invoice"} if pay == "invoice" else
                                     {"payment": "credit", "credit_id": pay})})
    chosen = [k["child_id"] for k in kids if form.getlist(f"parts_{k['child_id']}")] or \
        [str(c) for c in form.getlist("child")]
    error = None
    if starts_on is None:
        error = {"title": N_("Choose a date."), "detail": ""}
    elif not bookings_children:
        error = {"title": N_("Choose at least one day part for at least one child."), "detail": ""}
    else:
        body = {"bookings": [{"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat() if ends_on else None,
                              "children": bookings_children}],
                "all_or_nothing": form.get("all_or_nothing") == "on"}
        expires_on = _date(str(form.get("expires_on", "")))
        if expires_on:
            body["expires_on"] = expires_on.isoformat()
        try:
            await api(request, "POST", "/requests/extra-days", json=body)
        except ApiError as refused:
            if refused.status >= 500:
                raise
            error = _refusal(refused)
        else:
            return redirect("/requests?done=submitted", request)
    options = await _options(request, kids, chosen, starts_on) if starts_on else []
    return render(request, "extra_day.html", 400, kids=kids, chosen=chosen, day=starts_on, options=options,
                  error=error, values=form, default_expiry=(starts_on or date.today()) - timedelta(days=1))


# --- swap -----------------------------------------------------------------------------------------------------

@router.get("/requests/new/swap")
async def swap_form(request: Request, child: str = "", give_up: str = "", target: str = "",
                    give_parts: Annotated[list[str] | None, Query()] = None,
                    parts: Annotated[list[str] | None, Query()] = None) -> Response:
    kids = await children(request)
    child = child or (kids[0]["child_id"] if kids else "")
    give_day, target_day = _date(give_up), _date(target)
    planned = available = None
    if child and give_day:
        planned = await api(request, "GET", f"/agenda/{child}/{give_day.isoformat()}")
    if child and target_day:
        available = await api(request, "GET", f"/availability/{child}/{target_day.isoformat()}")
    summary = None
    if planned and available and give_parts and parts:
        given = sum(p["minutes"] for p in planned["parts"] if p["day_part_id"] in give_parts)
        wanted = sum(o["minutes"] for o in available["options"] if o["day_part_id"] in parts)
        summary = {"given": given, "wanted": wanted, "forfeited": max(given - wanted, 0)}
    return render(request, "swap.html", kids=kids, child=child, give_day=give_day, target_day=target_day,
                  planned=planned, available=available, give_parts=give_parts or [], parts=parts or [],
                  summary=summary, error=None)


@router.post("/requests/new/swap")
async def swap(request: Request) -> Response:
    form = await request.form()
    body = {"swaps": [{"child_id": str(form.get("child")), "give_up_date": str(form.get("give_up")),
                       "give_up_day_part_ids": [str(p) for p in form.getlist("give_parts")],
                       "target_date": str(form.get("target")),
                       "day_part_ids": [str(p) for p in form.getlist("parts")]}]}
    expires_on = _date(str(form.get("expires_on", "")))
    if expires_on:
        body["expires_on"] = expires_on.isoformat()
    try:
        await api(request, "POST", "/requests/swaps", json=body)
    except ApiError as refused:
        if refused.status >= 500:
            raise
        return render(request, "error.html", 400, title=N_("The request was not accepted."),
                      message=N_("Go back and change the swap."), detail=refused.message)
    return redirect("/requests?done=submitted", request)


# --- absence --------------------------------------------------------------------------------------------------

@router.get("/absences/new")
async def absence_form(request: Request, day: str = "") -> Response:
    kids = await children(request)
    return render(request, "absence.html", kids=kids, day=_date(day, date.today()), error=None, values={})


@router.post("/absences/new")
async def absence(request: Request) -> Response:
    form = await request.form()
    kids = await children(request)
    chosen = [str(c) for c in form.getlist("child")]
    starts_on = _date(str(form.get("starts_on", "")))
    ends_on = _date(str(form.get("ends_on", ""))) or starts_on
    error = None
    if starts_on is None or not chosen:
        error = {"title": N_("Choose a date and at least one child."), "detail": ""}
    else:
        body = {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat() if ends_on else None,
                "reason": str(form.get("reason", "other")), "children": [{"child_id": c} for c in chosen]}
        if form.get("note"):
            body["note"] = str(form.get("note"))[:500]
        try:
            await api(request, "POST", "/absences", json=body)
        except ApiError as refused:
            if refused.status >= 500:
                raise
            error = _refusal(refused)
        else:
            return redirect("/requests?done=absence", request)
    return render(request, "absence.html", 400, kids=kids, day=starts_on or date.today(), error=error,
                  values=form)
