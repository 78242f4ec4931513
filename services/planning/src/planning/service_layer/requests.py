"""Submitting extra-day and swap requests: every check first, then request, lines, timer and event in one go."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from konnect_contracts.events.requests import RequestLine, RequestSubmitted
from konnect_kit.db import Session
from konnect_kit.internal import Caller
from konnect_kit.outbox import Outbox

from planning.db.request_store import StoredLine, StoredRequest, credit_grant, store_request
from planning.domain.calendar import OrgCalendar
from planning.domain.payment import CreditFacts, check_credit_usable, credit_amount
from planning.domain.periods import check_period, end_of_day, is_single_date, resolve_expires_on
from planning.domain.refusals import Refusal
from planning.domain.swaps import forfeited_minutes
from planning.service_layer import integrator_events
from planning.service_layer.booking import already_requested, book_parts, give_up_parts, lock_family
from planning.service_layer.calendar import (
    FamilyRecord,
    child,
    in_school_holidays,
    organisation_calendar,
    planned_parts,
)
from planning.service_layer.callers import actor_uuid


@dataclass(frozen=True)
class ExtraDayAsk:
    child_id: UUID
    starts_on: date
    ends_on: date
    day_part_ids: list[UUID]
    payment: str = "invoice"
    credit_id: UUID | None = None


@dataclass(frozen=True)
class SwapAsk:
    child_id: UUID
    give_up_date: date
    give_up_day_part_ids: list[UUID]
    target_date: date
    day_part_ids: list[UUID]


@dataclass
class Line:
    """A checked request line, ready to store and to publish."""

    child_id: UUID
    group_id: UUID
    care_type: str
    starts_on: date
    ends_on: date
    dates: list[date]
    day_part_ids: list[UUID]
    minutes: int
    in_school_holiday: bool
    payment: str = "invoice"
    price: Decimal | None = None
    credit_id: UUID | None = None
    credit_amount: Decimal | None = None
    give_up_date: date | None = None
    give_up_group_id: UUID | None = None
    give_up_day_part_ids: list[UUID] = field(default_factory=list)
    target_date: date | None = None
    forfeited_minutes: int = 0
    line_id: UUID = field(default_factory=uuid.uuid4)

    @property
    def first_date(self) -> date:
        return min([*self.dates, *([self.give_up_date] if self.give_up_date else [])])


@dataclass(frozen=True)
class Submitted:
    request_id: UUID
    lines: list[Line]
    expires_on: date
    request: StoredRequest  # the request and its lines as stored, and the organisation's calendar: the answer
    rows: list[StoredLine]  # to the POST is built from these, without reading back what was just written
    calendar: OrgCalendar


async def _own_child(session: Session, family: FamilyRecord, child_id: UUID) -> None:
    record = await child(session, child_id)
    if record is None or record.family_id != family.family_id:
        raise Refusal("not_found", "No such child in this family.", {"child_id": str(child_id)}, kind="not_found")


def _no_duplicates(parts: Sequence[UUID]) -> None:
    if len(set(parts)) != len(parts):
        raise Refusal("duplicate_day_part", "A day part is named twice.")


async def _credit(session: Session, credit_id: UUID) -> CreditFacts | None:
    row = await credit_grant(session, credit_id)
    if row is None:
        return None
    return CreditFacts(str(row.credit_id), str(row.child_id), row.unit, row.valid_from, row.valid_until,
                       tuple(row.care_types), row.usage_rule)


async def extra_day_line(session: Session, family: FamilyRecord, ask: ExtraDayAsk, today: date,
                         now: datetime) -> Line:
    await _own_child(session, family, ask.child_id)
    check_period(ask.starts_on, ask.ends_on, today)
    _no_duplicates(ask.day_part_ids)
    booked = await book_parts(session, ask.child_id, ask.starts_on, ask.ends_on, ask.day_part_ids, now)
    if await already_requested(session, ask.child_id, booked.dates, ask.day_part_ids):
        raise Refusal("already_requested", "Another pending request already asks for these day parts.",
                      {"child_id": str(ask.child_id)})
    holiday = await in_school_holidays(session, family.organisation_id, booked.dates[0], booked.dates[-1])
    line = Line(ask.child_id, booked.group_id, booked.care_type, ask.starts_on, ask.ends_on, booked.dates,
                ask.day_part_ids, booked.minutes, holiday, price=booked.price)
    if ask.payment == "credit":
        assert ask.credit_id is not None  # the API model requires it
        facts = await _credit(session, ask.credit_id)
        check_credit_usable(facts, child_id=str(ask.child_id), dates=booked.dates, care_type=booked.care_type,
                            in_school_holiday=holiday)
        assert facts is not None
        line.payment, line.credit_id = "credit", ask.credit_id
        line.credit_amount = credit_amount(facts.unit, booked.minutes_per_date, booked.parts_per_date)
    return line


async def swap_line(session: Session, family: FamilyRecord, ask: SwapAsk, today: date, now: datetime) -> Line:
    await _own_child(session, family, ask.child_id)
    check_period(ask.give_up_date, ask.give_up_date, today, field="give_up_date")
    check_period(ask.target_date, ask.target_date, today, field="target_date")
    if ask.give_up_date == ask.target_date:
        raise Refusal("same_date", "A swap moves care to another date.")
    _no_duplicates(ask.give_up_day_part_ids)
    _no_duplicates(ask.day_part_ids)
    given = await give_up_parts(session, ask.child_id, ask.give_up_date, ask.give_up_day_part_ids)
    # The manual: on a target date where the child is planned already, the system says so (no partial swap).
    present = [p for p in await planned_parts(session, ask.child_id, ask.target_date) if not p.absent]
    if present:
        raise Refusal("already_planned", f"The child is already planned on {ask.target_date.isoformat()}.",
                      {"date": ask.target_date.isoformat(), "planned": [p.name for p in present]})
    booked = await book_parts(session, ask.child_id, ask.target_date, ask.target_date, ask.day_part_ids, now)
    forfeited = forfeited_minutes(given.minutes, booked.minutes)
    if await already_requested(session, ask.child_id, [ask.give_up_date], ask.give_up_day_part_ids, give_up=True) \
            or await already_requested(session, ask.child_id, booked.dates, ask.day_part_ids):
        raise Refusal("already_requested", "Another pending request already asks for these day parts.",
                      {"child_id": str(ask.child_id)})
    holiday = await in_school_holidays(session, family.organisation_id, ask.target_date, ask.target_date)
    return Line(ask.child_id, booked.group_id, booked.care_type, ask.target_date, ask.target_date, booked.dates,
                ask.day_part_ids, booked.minutes, holiday, give_up_date=ask.give_up_date,
                give_up_group_id=given.group_id, give_up_day_part_ids=ask.give_up_day_part_ids,
                target_date=ask.target_date, forfeited_minutes=forfeited)


def _no_double_booking(lines: Sequence[Line]) -> None:
    seen: set[tuple[UUID, date, UUID]] = set()
    for line in lines:
        for key in ((line.child_id, d, p) for d in line.dates for p in line.day_part_ids):
            if key in seen:
                raise Refusal("duplicate_booking", "The request books the same day part twice for a child.",
                              {"child_id": str(key[0]), "date": key[1].isoformat(), "day_part_id": str(key[2])})
            seen.add(key)


async def submit(session: Session, outbox: Outbox, *, who: Caller, family: FamilyRecord, kind: str,
                 asks: Sequence[ExtraDayAsk] | Sequence[SwapAsk], all_or_nothing: bool, expires_on: date | None,
                 now: datetime) -> Submitted:
    """Check every line, then store the request with its timer and publish `RequestSubmitted` (keyed by family)."""
    await lock_family(session, family.family_id)
    calendar = await organisation_calendar(session, family.organisation_id)
    today = calendar.today(now)
    lines = []
    for ask in asks:
        if isinstance(ask, SwapAsk):
            lines.append(await swap_line(session, family, ask, today, now))
        else:
            lines.append(await extra_day_line(session, family, ask, today, now))
    _no_double_booking(lines)
    if all_or_nothing and not is_single_date([(d, d) for line in lines for d in (line.first_date, *line.dates)]):
        raise Refusal("all_or_nothing_single_date", "Only a request for one single date can be judged as a whole; "
                      "requests for several dates are always judged per child.")
    expires = resolve_expires_on(expires_on, min(line.first_date for line in lines), today)
    request_id = uuid.uuid4()
    submitted_by = actor_uuid(who)
    stored, rows = await store_request(session, {
        "request_id": request_id, "organisation_id": family.organisation_id, "family_id": family.family_id,
        "kind": kind, "all_or_nothing": all_or_nothing, "expires_on": expires, "submitted_by": who.actor_id,
        "submitted_role": who.role, "submitted_at": now,
    }, [_row(request_id, i, line) for i, line in enumerate(lines)], end_of_day(expires, calendar.time_zone))
    await integrator_events.publish(session, outbox, RequestSubmitted(
        request_id=request_id, organisation_id=family.organisation_id, family_id=family.family_id, kind=kind,
        all_or_nothing=all_or_nothing, expires_on=expires, submitted_by_account_id=submitted_by,
        lines=tuple(_event_line(line) for line in lines)))
    return Submitted(request_id, lines, expires, stored, rows, calendar)


def _row(request_id: UUID, position: int, line: Line) -> dict:
    return {
        "line_id": line.line_id, "request_id": request_id, "position": position, "child_id": line.child_id,
        "group_id": line.group_id, "care_type": line.care_type, "starts_on": line.starts_on,
        "ends_on": line.ends_on, "dates": line.dates, "day_part_ids": line.day_part_ids, "minutes": line.minutes,
        "payment": line.payment, "credit_id": line.credit_id, "credit_amount": line.credit_amount,
        "price": line.price, "in_school_holiday": line.in_school_holiday, "give_up_date": line.give_up_date,
        "give_up_group_id": line.give_up_group_id, "give_up_day_part_ids": line.give_up_day_part_ids,
        "target_date": line.target_date, "forfeited_minutes": line.forfeited_minutes, "status": "pending",
        "reservation_status": "pending" if line.payment == "credit" else "none",
    }


def _event_line(line: Line) -> RequestLine:
    return RequestLine(
        line_id=line.line_id, child_id=line.child_id, group_id=line.group_id, starts_on=line.starts_on,
        ends_on=line.ends_on, day_part_ids=tuple(line.day_part_ids), payment=line.payment,  # type: ignore[arg-type]
        price=line.price, credit_id=line.credit_id, credit_amount=line.credit_amount,
        give_up_date=line.give_up_date, give_up_day_part_ids=tuple(line.give_up_day_part_ids),
        target_date=line.target_date, forfeited_minutes=line.forfeited_minutes,
        care_type=line.care_type,  # type: ignore[arg-type]
        in_school_holiday=line.in_school_holiday)
