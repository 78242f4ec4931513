"""Parent-facing agenda (planned care per child per date), day detail and availability of day parts."""

from datetime import date, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response
from konnect_kit.answers import JSONAnswer, json_answer
from konnect_kit.clock import ClockDep
from konnect_kit.db import Reader
from konnect_kit.errors import ApiError
from konnect_kit.internal import Caller, CallerDep
from konnect_kit.service import ReaderDep
from konnect_kit.values import SupportedDate

from planning.api.calendar_models import (
    AgendaOut,
    AvailabilityOut,
    DayDetailOut,
    agenda_content,
    availability_content,
    day_detail_from,
    stored_agenda_answer,
    stored_day_detail_answer,
)
from planning.domain.access import may_see_planning
from planning.service_layer import agenda_days
from planning.service_layer import calendar as cal

# Read-only routes: they run on a Reader (statements straight on a pooled connection, no ORM session and no
# BEGIN/COMMIT). Each statement sees its own snapshot, as under the READ COMMITTED transaction before.
router = APIRouter(tags=["agenda"])

MAX_AGENDA_DAYS = 92  # a quarter: enough to scroll ahead, small enough to answer from one set of queries
DEFAULT_AGENDA_DAYS = 28


def _hidden() -> ApiError:
    # Never 403 for another family's data: whether it exists stays hidden.
    return ApiError(404, "not_found", "No such child or family.")


def _family_key(who: Caller, family_id: UUID | None) -> tuple[UUID | None, str | None]:
    """How the caller's family is looked up: (None, the parent's account) or (the family staff name, None)."""
    if who.role == "parent":
        return None, who.actor_id  # their own family; a family_id of theirs must name it (`_visible_family_of`)
    if family_id is None:
        raise ApiError(422, "family_id_required", "Pass family_id: only parents have a family of their own.")
    return family_id, None


async def _visible_family(who: Caller, reader: Reader, family_id: UUID | None) -> cal.FamilyRecord:
    named, account = _family_key(who, family_id)
    record = await (cal.family(reader, named) if named is not None else cal.family_of_parent(reader, account or ""))
    return _visible_family_of(who, family_id, record)


def _visible_family_of(who: Caller, family_id: UUID | None, record: cal.FamilyRecord | None) -> cal.FamilyRecord:
    """`record` (found by `_family_key`) if the caller may see it; 404 otherwise."""
    own = None
    if who.role == "parent":
        own = record.family_id if record is not None else None
        if family_id is not None and family_id != own:
            raise _hidden()
    if record is None or not may_see_planning(who.role, who.organisation_id, organisation_id=record.organisation_id,
                                              family_id=record.family_id, caller_family_id=own):
        raise _hidden()
    return record


def _parent_account(who: Caller) -> str | None:
    return who.actor_id if who.role == "parent" else None


def _visible_child(who: Caller, record: cal.ChildRecord | None, own: UUID | None) -> cal.ChildRecord:
    """The child if the caller may see it (`own`: the calling parent's family); 404 otherwise."""
    if record is None or not may_see_planning(
        who.role, who.organisation_id, organisation_id=record.organisation_id, family_id=record.family_id,
        caller_family_id=own,
    ):
        raise _hidden()
    return record


def _range_error(start: date, end: date) -> ApiError | None:
    if end < start:
        return ApiError(422, "invalid_range", "'from' lies after 'to'.", {"from": str(start), "to": str(end)})
    if (end - start).days + 1 > MAX_AGENDA_DAYS:
        return ApiError(422, "range_too_long", f"Ask for at most {MAX_AGENDA_DAYS} days at a time.",
                        {"from": str(start), "to": str(end), "max_days": MAX_AGENDA_DAYS})
    return None


@router.get("/agenda", response_model=AgendaOut)
async def get_agenda(
    who: CallerDep, reader: ReaderDep, clock: ClockDep,
    start: Annotated[SupportedDate | None, Query(alias="from")] = None,
    end: Annotated[SupportedDate | None, Query(alias="to")] = None,
    family_id: Annotated[UUID | None, Query(description="Staff, admins and the ERP: whose agenda.")] = None,
) -> Response:
    """The family's planned care per child per date in [from, to] (at most 92 dates; default: four weeks)."""
    named, account = _family_key(who, family_id)
    record = None
    if start is None:  # the organisation's today: the family with its calendar's version, the calendar as held
        found = await cal.family_and_today(reader, clock.now(), family_id=named, account_id=account)
        if found is None:
            raise _hidden()
        record, start = _visible_family_of(who, family_id, found[0]), found[1]
    end = end or start + timedelta(days=DEFAULT_AGENDA_DAYS - 1)
    wrong = _range_error(start, end)
    if wrong is not None:
        if record is None:
            await _visible_family(who, reader, family_id)  # a hidden family stays a 404, whatever the range
        raise wrong
    # The usual case: one statement finds the family and its days as the read model stored them.
    if record is None:
        stored = await agenda_days.stored_agenda(reader, start, end, family_id=named, account_id=account)
        record = _visible_family_of(who, family_id, stored.family)
    else:
        stored = await agenda_days.stored_agenda(reader, start, end, family_id=record.family_id)
    if stored.days is not None:
        # Sent as a JSONAnswer: the lean path writes it itself (a plain Response takes Starlette's ASGI call).
        return JSONAnswer(stored_agenda_answer(record.family_id, start, end, stored.days))
    # Not stored yet or just changed, or with a pending request to draw on: computed, as the builder would.
    context = await cal.agenda_context(reader, start, end, family_id=record.family_id)
    days = await cal.agenda_days_of(reader, context, start, end)
    days = await cal.enrich_agenda(reader, record.family_id, start, end, days)
    # AgendaOut, written straight from the days (calendar_models.agenda_content).
    return json_answer(agenda_content(record.family_id, start, end, days))


@router.get("/agenda/{child_id}/{day}", response_model=DayDetailOut)
async def get_agenda_day(child_id: UUID, day: SupportedDate, who: CallerDep, reader: ReaderDep,
                         clock: ClockDep) -> Response:
    """One child's day: times, group, day parts (absent flags) and the requests on it."""
    # The usual case: one statement finds the child, the caller's family (the check) and the day as the read model
    # stored it (DayDetailOut's bytes but for the moment of this read).
    stored = await agenda_days.stored_day_detail(reader, child_id, day, account_id=_parent_account(who))
    kid = _visible_child(who, stored.kid, stored.caller_family)
    if stored.detail is not None:
        return JSONAnswer(stored_day_detail_answer(stored.detail, clock.now()))
    # Not stored (no care that day, not computed yet, just changed, a request pending): computed.
    context = await cal.agenda_context(reader, day, day, child_id=child_id, account_id=_parent_account(who))
    kid = _visible_child(who, next((k for k in context.kids if k.child_id == child_id), None), context.caller_family)
    found = await cal.agenda_days_of(reader, context, day, day, child_ids=[child_id])
    days = [d for d in await cal.enrich_agenda(reader, kid.family_id, day, day, found) if d["child_id"] == child_id]
    calendar = context.calendars.get(kid.organisation_id) or await cal.organisation_calendar(
        reader, kid.organisation_id)
    # DayDetailOut, written straight from its content (the agenda's day dicts are in the answer's form already).
    return json_answer(day_detail_from(context, kid, day, days, calendar, clock.now()))


@router.get("/availability/{child_id}/{day}", response_model=AvailabilityOut)
async def get_availability(child_id: UUID, day: SupportedDate, who: CallerDep, reader: ReaderDep,
                           clock: ClockDep) -> Response:
    """For a chosen date: the planned day parts, and which others can be requested (with their price)."""
    # One statement: the child, the caller's family (for the check) and everything the answer needs.
    context = await cal.availability_context(reader, child_id, day, _parent_account(who))
    _visible_child(who, context.kids[0] if context.kids else None, context.caller_family)
    found, today = cal.availability_from(context, child_id, day, now=clock.now())
    # AvailabilityOut, written straight from its content (calendar_models.availability_content).
    return json_answer(availability_content(child_id, day, found, today,
                                            planned=[cal.part_dict(p) for p in found.planned]))
