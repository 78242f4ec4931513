"""Checks one child's booking against the calendar: which dates, which day parts, group, minutes and price."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from konnect_kit.db import Session

from planning.db.request_store import lock_family as _lock_family
from planning.db.request_store import pending_overlap
from planning.domain.periods import dates_between
from planning.domain.refusals import Refusal
from planning.service_layer.calendar import availability, planned_parts


@dataclass
class Booked:
    """The outcome of checking one child's booking: what a request line stores."""

    group_id: UUID
    care_type: str
    dates: list[date] = field(default_factory=list)
    minutes_per_date: list[int] = field(default_factory=list)
    parts_per_date: list[int] = field(default_factory=list)
    price: Decimal | None = Decimal(0)

    @property
    def minutes(self) -> int:
        return sum(self.minutes_per_date)


def _part_details(day: date, part_id: UUID, name: str | None = None, **extra: object) -> dict:
    return {"date": day.isoformat(), "day_part_id": str(part_id), **({"name": name} if name else {}), **extra}


async def book_parts(session: Session, child_id: UUID, starts_on: date, ends_on: date,
                     day_part_ids: list[UUID], now: datetime) -> Booked:
    """Every requested day part must be bookable on every open date of the period.

    A period skips the days the organisation is closed (weekends, closing days); a single date that is
    closed is refused. Anything else that does not fit (planned already, other care type, full) is refused
    with the date and day part, so the parent knows what to change.
    """
    single = starts_on == ends_on
    booked: Booked | None = None
    for day in dates_between(starts_on, ends_on):
        av = await availability(session, child_id, day, now=now)
        if av.placement is None:
            raise Refusal("no_placement", f"The child has no placement on {day.isoformat()}.",
                          {"date": day.isoformat()})
        if not av.open:
            if single:
                raise Refusal("not_possible", f"The location is closed on {day.isoformat()}.",
                              {"date": day.isoformat(), "reason": "closed"})
            continue
        planned = {p.day_part_id: p for p in av.planned}
        options = {o.day_part_id: o for o in av.options}
        minutes, price = 0, Decimal(0)
        for part_id in day_part_ids:
            if part_id in planned:
                name = planned[part_id].name
                raise Refusal("already_planned", f"{name} is already planned on {day.isoformat()}.",
                              _part_details(day, part_id, name))
            option = options.get(part_id)
            if option is None:
                raise Refusal("day_part_not_bookable", "This day part does not belong to the child's care type.",
                              _part_details(day, part_id, care_type=av.placement.care_type))
            if not option.possible:
                raise Refusal("not_possible", f"{option.name} on {day.isoformat()} is not possible ({option.reason}).",
                              _part_details(day, part_id, option.name, reason=option.reason))
            minutes += option.minutes
            price = price + option.price if option.price is not None else price
        if booked is None:
            booked = Booked(av.placement.group_id, av.placement.care_type)
        elif booked.group_id != av.placement.group_id:
            # One line books one group; a placement change inside the period would need two.
            raise Refusal("placement_changes", "The child changes group within this period; request each part "
                          "separately.", {"date": day.isoformat()})
        booked.dates.append(day)
        booked.minutes_per_date.append(minutes)
        booked.parts_per_date.append(len(day_part_ids))
        if any(options[p].price is None for p in day_part_ids):
            booked.price = None  # unknown price somewhere: better none than a wrong total
        elif booked.price is not None:
            booked.price += price
    if booked is None:
        raise Refusal("not_possible", "The location is closed on every date of this period.",
                      {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    return booked


@dataclass(frozen=True)
class GivenUp:
    group_id: UUID
    minutes: int


async def give_up_parts(session: Session, child_id: UUID, day: date, day_part_ids: list[UUID]) -> GivenUp:
    """The day parts a swap gives up must be planned (and not reported absent) on that date."""
    planned = {p.day_part_id: p for p in await planned_parts(session, child_id, day) if not p.absent}
    missing = [str(p) for p in day_part_ids if p not in planned]
    if missing:
        raise Refusal("not_planned", f"Only planned day parts can be given up; not planned on {day.isoformat()}.",
                      {"date": day.isoformat(), "day_part_ids": missing})
    return GivenUp(planned[day_part_ids[0]].group_id, sum(planned[p].minutes for p in day_part_ids))


async def lock_family(session: Session, family_id: UUID) -> None:
    """Serialise a family's submissions until commit: two clicks on "send" must not both pass the
    "already requested/absent" checks and book the same day part twice (other families are not held up)."""
    await _lock_family(session, family_id)


async def already_requested(session: Session, child_id: UUID, dates: list[date], parts: list[UUID],
                            *, give_up: bool = False) -> bool:
    """A pending line of another request already asks for (or gives up) these day parts on these dates."""
    return await pending_overlap(session, child_id, dates, parts, give_up=give_up)
