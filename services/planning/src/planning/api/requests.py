"""Parent requests: extra days, swaps, absences, the overview and cancelling (internal; via the gateway)."""

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response
from konnect_kit.answers import json_answer
from konnect_kit.clock import ClockDep
from konnect_kit.db import Session
from konnect_kit.errors import ApiError
from konnect_kit.internal import CallerDep
from konnect_kit.service import KitDep, ReaderDep, SessionDep

from planning.api.request_models import (
    AbsenceIn,
    AbsenceOut,
    AbsencesOut,
    ExtraDaysIn,
    OverviewOut,
    RequestOut,
    SwapsIn,
)
from planning.service_layer import absences as absence_service
from planning.service_layer.calendar import family_of_account, organisation_calendar
from planning.service_layer.callers import actor_uuid, family_for, may_act_for
from planning.service_layer.decisions import cancel_child, lines_of
from planning.service_layer.overview import absence_view, child_cancel_blocked, family_overview, request_view
from planning.service_layer.requests import ExtraDayAsk, Submitted, SwapAsk, submit
from planning.service_layer.visibility import request_for

router = APIRouter(tags=["requests"])


async def _view(session: Session, request: Any, now: datetime) -> RequestOut:
    calendar = await organisation_calendar(session, request.organisation_id)
    return RequestOut.model_validate(request_view(request, await lines_of(session, request.request_id), calendar, now))


def _submitted_view(done: Submitted, now: datetime) -> RequestOut:
    # What submit stored, as stored: no read-back (four statements between the event's insert and the commit,
    # on the request saga's path), and no second access check (family_for let the caller act for this family).
    return RequestOut.model_validate(request_view(done.request, done.rows, done.calendar, now))


@router.post("/requests/extra-days", response_model=RequestOut, status_code=201)
async def request_extra_days(body: ExtraDaysIn, who: CallerDep, session: SessionDep, kit: KitDep,
                             clock: ClockDep) -> RequestOut:
    family = await family_for(session, who, body.family_id)
    asks = [ExtraDayAsk(c.child_id, b.starts_on, b.ends_on or b.starts_on, c.day_part_ids, c.payment, c.credit_id)
            for b in body.bookings for c in b.children]
    now = clock.now()
    done = await submit(session, kit.outbox, who=who, family=family, kind="extra_day", asks=asks,
                        all_or_nothing=body.all_or_nothing, expires_on=body.expires_on, now=now)
    return _submitted_view(done, now)


@router.post("/requests/swaps", response_model=RequestOut, status_code=201)
async def request_swaps(body: SwapsIn, who: CallerDep, session: SessionDep, kit: KitDep,
                        clock: ClockDep) -> RequestOut:
    family = await family_for(session, who, body.family_id)
    asks = [SwapAsk(s.child_id, s.give_up_date, s.give_up_day_part_ids, s.target_date, s.day_part_ids)
            for s in body.swaps]
    now = clock.now()
    done = await submit(session, kit.outbox, who=who, family=family, kind="swap",
                        asks=asks, all_or_nothing=body.all_or_nothing, expires_on=body.expires_on, now=now)
    return _submitted_view(done, now)


@router.get("/requests", response_model=OverviewOut)
async def overview(who: CallerDep, reader: ReaderDep, clock: ClockDep, family_id: UUID | None = None
                   ) -> Response:
    # Read-only: one statement on a Reader (no ORM session, no BEGIN/COMMIT). OverviewOut, written straight from
    # its content: a family's year of requests is hundreds of lines, each a model of 25 fields to build.
    return json_answer(await family_overview(reader, who, family_id, clock.now()))


@router.get("/requests/{request_id}", response_model=RequestOut)
async def get_request(request_id: UUID, who: CallerDep, session: SessionDep, clock: ClockDep) -> RequestOut:
    return await _view(session, await request_for(session, who, request_id), clock.now())


@router.post("/requests/{request_id}/children/{child_id}/cancel", response_model=RequestOut)
async def cancel_request_child(request_id: UUID, child_id: UUID, who: CallerDep, session: SessionDep, kit: KitDep,
                               clock: ClockDep) -> RequestOut:
    """Cancel one child's pending lines (a period as a whole) while the organisation's policy allows it."""
    request = await request_for(session, who, request_id, lock=True)
    lines = [line for line in await lines_of(session, request_id) if line.child_id == child_id]
    if not lines:
        raise ApiError(404, "not_found", "This child has no line in the request.")
    now = clock.now()
    blocked = child_cancel_blocked(lines, await organisation_calendar(session, request.organisation_id), now)
    if blocked:
        code = "cancel_window_passed" if any(x.status == "pending" for x in lines) else "not_cancellable"
        raise ApiError(409, code, blocked)
    await cancel_child(session, kit.outbox, request, child_id, by_account=actor_uuid(who), now=now)
    return await _view(session, await request_for(session, who, request_id), now)


@router.post("/absences", response_model=AbsencesOut, status_code=201)
async def report_absence(body: AbsenceIn, who: CallerDep, session: SessionDep, kit: KitDep,
                         clock: ClockDep) -> AbsencesOut:
    family = await family_for(session, who, body.family_id)
    now = clock.now()
    ids = await absence_service.report(
        session, kit.outbox, who=who, family=family,
        asks=[absence_service.AbsenceAsk(c.child_id, c.day_part_ids) for c in body.children],
        starts_on=body.starts_on, ends_on=body.ends_on or body.starts_on, reason=body.reason, note=body.note, now=now)
    calendar = await organisation_calendar(session, family.organisation_id)
    rows = [await absence_service.lock_absence(session, i) for i in ids]
    return AbsencesOut(absences=[AbsenceOut.model_validate(absence_view(r, calendar, now)) for r in rows if r])


@router.post("/absences/{absence_id}/cancel", response_model=AbsenceOut)
async def cancel_absence(absence_id: UUID, who: CallerDep, session: SessionDep, kit: KitDep,
                         clock: ClockDep) -> AbsenceOut:
    absence = await absence_service.lock_absence(session, absence_id)
    caller_family = await family_of_account(session, who.actor_id) if who.role == "parent" else None
    if absence is None or not may_act_for(who, organisation_id=absence.organisation_id,
                                          family_id=absence.family_id, caller_family=caller_family):
        raise ApiError(404, "not_found", "No such absence.")
    now = clock.now()
    await absence_service.cancel(session, kit.outbox, who=who, absence=absence, now=now)
    calendar = await organisation_calendar(session, absence.organisation_id)
    row = await absence_service.lock_absence(session, absence_id)
    assert row is not None
    return AbsenceOut.model_validate(absence_view(row, calendar, now))
