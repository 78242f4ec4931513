"""Request and response bodies of the calendar admin API and the parent agenda (OpenAPI examples here)."""

import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from konnect_kit.answers import answer_bytes
from konnect_kit.values import HumanName, SupportedDate, decimal_amount
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from planning.domain.calendar import Availability, clock_text, placement_on

CareType = Literal["day_care", "after_school", "toddler"]
ORG_EXAMPLE = "0b6f3c52-4b8e-4f36-9a55-2f1c8c1d9e01"


_CLOCK_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")


def _clock_time(value: Any) -> Any:
    # "07:30" only: seconds and time zones carry no meaning for a day part and would spoil comparisons.
    # Exactly the schema's pattern (no other digits, no numbers of seconds), so both say the same.
    if isinstance(value, time):
        return value
    found = _CLOCK_TIME.fullmatch(value) if isinstance(value, str) else None
    if found is None:
        raise ValueError("use HH:MM, e.g. 07:30")
    return time(int(found[1]), int(found[2]))


# Serialised as "HH:MM" in JSON only: in Python mode it stays a time, as the database column wants.
# The schema says "HH:MM" exactly (not `format: time`, which admits seconds and offsets the API refuses).
# isoformat, not strftime: the same "HH:MM" at a third of the cost, and an agenda writes a few hundred of them
# (strftime was 7% of planning's CPU on a 4-week agenda, py-spy).
_CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
_CLOCK_SCHEMA = WithJsonSchema({"type": "string", "pattern": _CLOCK_PATTERN, "examples": ["07:30"],
                                "description": "A clock time, HH:MM."})
ClockTime = Annotated[time, BeforeValidator(_clock_time),
                      PlainSerializer(lambda t: t.isoformat(timespec="minutes"), str, when_used="json"),
                      _CLOCK_SCHEMA]
# The same on the wire, for answers only: a time the service layer already wrote as "HH:MM" (rules.clock_text),
# checked against the pattern without a Python call. A 4-week agenda holds a few hundred; as ClockTime each
# cost a Python call to validate and another to serialise (py-spy: a sixth of the agenda's response cost).
ClockText = Annotated[str, StringConstraints(pattern=_CLOCK_PATTERN), _CLOCK_SCHEMA]
Price = Annotated[decimal_amount(integer_digits=8, decimal_places=2, positive=False), Field(examples=["9.85"])]


class VersionOut(BaseModel):
    version: int = Field(description="Starts at 1 and increases only when the data changes.")


class DayPartIn(BaseModel):
    organisation_id: UUID = Field(examples=[ORG_EXAMPLE])
    care_type: CareType
    name: HumanName = Field(examples=["Ochtend"])
    starts_at: ClockTime
    ends_at: ClockTime
    price_per_hour: Price | None = None
    price_per_part: Price | None = None
    external_id: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def _consistent(self) -> "DayPartIn":
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must lie after starts_at")
        if (self.price_per_hour is None) == (self.price_per_part is None):
            raise ValueError("set exactly one of price_per_hour and price_per_part")
        return self


class DayPartOut(DayPartIn, VersionOut):
    day_part_id: UUID
    minutes: int


class DayPartList(BaseModel):
    items: list[DayPartOut]


class SettingsIn(BaseModel):
    open_weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        default=[0, 1, 2, 3, 4], max_length=7, description="0 = Monday … 6 = Sunday.")
    cancel_window_hours: int = Field(default=24, ge=0, le=24 * 366)
    staff_may_evaluate: bool = True

    @model_validator(mode="after")
    def _as_set(self) -> "SettingsIn":
        # A set in practice: order and repeats carry no meaning, so they must not bump the version.
        self.open_weekdays = sorted(set(self.open_weekdays))
        return self


class SettingsOut(SettingsIn, VersionOut):
    organisation_id: UUID


class ClosingDayIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200, examples=["Tweede Kerstdag"])


class ClosingDayOut(ClosingDayIn, VersionOut):
    organisation_id: UUID
    date: date


class ClosingDayList(BaseModel):
    items: list[ClosingDayOut]


class HolidayIn(BaseModel):
    organisation_id: UUID = Field(examples=[ORG_EXAMPLE])
    name: HumanName = Field(examples=["Zomervakantie regio midden"])
    starts_on: SupportedDate
    ends_on: SupportedDate

    @model_validator(mode="after")
    def _period(self) -> "HolidayIn":
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on lies before starts_on")
        return self


class HolidayOut(HolidayIn, VersionOut):
    holiday_id: UUID


class HolidayList(BaseModel):
    items: list[HolidayOut]


class CapacityIn(BaseModel):
    capacity: int = Field(ge=0, le=10_000, examples=[14])


class CapacityOut(CapacityIn, VersionOut):
    group_id: UUID
    day_part_id: UUID


class CapacityList(BaseModel):
    group_id: UUID
    items: list[CapacityOut]


# -- agenda and availability ---------------------------------------------------------------------

class PlannedPartOut(BaseModel):
    day_part_id: UUID
    name: str
    starts_at: ClockText
    ends_at: ClockText
    minutes: int
    group_id: UUID
    absent: bool


class AgendaDayOut(BaseModel):
    # Extra keys added by the requests module's enricher are passed through unchanged.
    model_config = ConfigDict(extra="allow")

    date: date
    child_id: UUID
    first_name: str
    last_name: str
    group_id: UUID | None
    group_name: str | None
    location_id: UUID | None
    location_name: str | None
    open: bool
    closing_reason: str | None
    parts: list[PlannedPartOut]
    requests: list[dict[str, Any]] = Field(default_factory=list)


class AgendaOut(BaseModel):
    family_id: UUID
    start: date = Field(serialization_alias="from")
    end: date = Field(serialization_alias="to")
    days: list[AgendaDayOut]


def agenda_content(family_id: UUID, start: date, end: date, days: list[dict[str, Any]]) -> dict[str, Any]:
    """AgendaOut's content (by alias, as FastAPI writes an answer) for the days `service_layer.calendar.agenda_days_of`
    built, for `konnect_kit.answers`. Validating four weeks of days into AgendaOut only to write them out again was
    a fifth of planning's CPU per agenda (py-spy under bench/read_paths, PROFILE-read-paths.md round 8); the days
    hold the answer's values already (ids, dates, "HH:MM" texts, in AgendaDayOut's and PlannedPartOut's field
    order), and the agenda property test checks that both write the same bytes."""
    return {"family_id": family_id, "from": start, "to": end, "days": days}


def stored_agenda_answer(family_id: UUID, start: date, end: date, days: str) -> bytes:
    """AgendaOut's bytes around the read model's days (`days`: each day as `answer_bytes` wrote it, joined by
    commas): what `agenda_content` writes for the same days (test_planning_agenda_days.py compares both)."""
    empty = answer_bytes(agenda_content(family_id, start, end, []))  # ...,"days":[]}
    return b"".join((empty[:-2], days.encode(), b"]}"))


class PlacementOut(BaseModel):
    placement_id: UUID
    group_id: UUID
    care_type: str
    location_id: UUID | None


def day_detail_content(child_id: UUID, day: date, first_name: str, last_name: str, *, closing_reason: str | None,
                       is_open: bool, placement: dict[str, Any] | None, group_name: str | None,
                       location_name: str | None, days: list[dict[str, Any]], generated_at: datetime) -> dict[str, Any]:
    """DayDetailOut's content in its field order, for `konnect_kit.answers`: the child's day parts and requests are
    those of the agenda's days (`days`: that child's entries on `day`), written the same way; `placement` holds
    PlacementOut's fields in order. The agenda property test checks it against the model over random worlds."""
    return {"child_id": child_id, "date": day, "first_name": first_name, "last_name": last_name, "open": is_open,
            "closing_reason": closing_reason, "placement": placement, "group_name": group_name,
            "location_name": location_name, "parts": [p for d in days for p in d.get("parts", [])],
            "requests": [r for d in days for r in d.get("requests", [])], "generated_at": generated_at}


def day_detail_from(context: Any, kid: Any, day: date, days: list[dict[str, Any]], calendar: Any,
                    generated_at: datetime) -> dict[str, Any]:
    """DayDetailOut's content for `kid` on `day`, from an agenda context of a span holding `day` (its placements,
    group names) and that child's agenda days on it: the screen's, computed or stored by the agenda builder."""
    placement = placement_on(context.placements.get(kid.child_id, []), day)
    names: dict[str, Any] = days[0] if days and "group_name" in days[0] else {}
    if not names and placement is not None:
        group = context.groups.get(placement.group_id)
        names = {"group_name": group.name, "location_name": group.location_name} if group else {}
    return day_detail_content(
        kid.child_id, day, kid.first_name, kid.last_name, closing_reason=calendar.closing_reason(day),
        is_open=calendar.is_open(day),
        placement=None if placement is None else {
            "placement_id": placement.placement_id, "group_id": placement.group_id,
            "care_type": placement.care_type, "location_id": placement.location_id},
        group_name=names.get("group_name"), location_name=names.get("location_name"), days=days,
        generated_at=generated_at)


_MADE_AT = b'"generated_at":'


def stored_day_detail(content: dict[str, Any]) -> str:
    """A day detail's answer as the read model stores it: up to its last value, the moment it was made."""
    written = answer_bytes(content)
    return written[:written.rindex(_MADE_AT) + len(_MADE_AT)].decode()


def stored_day_detail_answer(stored: str, generated_at: datetime) -> bytes:
    """The stored answer completed with the moment of this read: what `day_detail_content` writes."""
    return b"".join((stored.encode(), answer_bytes(generated_at), b"}"))


class DayPartOptionOut(BaseModel):
    day_part_id: UUID
    name: str
    starts_at: ClockTime
    ends_at: ClockTime
    minutes: int
    possible: bool
    reason: str | None = Field(description="closed, closing_day: <reason>, group_full, no_placement, in_the_past")
    price: Decimal | None


class AvailabilityOut(BaseModel):
    child_id: UUID
    date: date
    open: bool
    today: date = Field(description="Today in the organisation's time zone.")
    placement: PlacementOut | None
    planned: list[PlannedPartOut]
    options: list[DayPartOptionOut]


def availability_content(child_id: UUID, day: date, found: Availability, today: date,
                         planned: list[dict[str, Any]]) -> dict[str, Any]:
    """AvailabilityOut's content in its field order, for `konnect_kit.answers`: `planned` holds the planned parts
    as the agenda writes them (`service_layer.calendar.part_dict`), the options DayPartOptionOut's fields with clock
    times as "HH:MM" and prices as the text pydantic writes for a Decimal.
    Why: as for the agenda (round 8), validating the answer into AvailabilityOut only to write it out again is work
    the answer does not need: planning's CPU per availability read 507-625 us with the model, 435-575 us written
    straight (bench/ab_service.py, 4 rounds). The availability property test compares both writings."""
    placement = found.placement
    return {
        "child_id": child_id, "date": day, "open": found.open, "today": today,
        "placement": None if placement is None else {
            "placement_id": placement.placement_id, "group_id": placement.group_id,
            "care_type": placement.care_type, "location_id": placement.location_id},
        "planned": planned,
        "options": [{"day_part_id": o.day_part_id, "name": o.name, "starts_at": clock_text(o.starts_at),
                     "ends_at": clock_text(o.ends_at), "minutes": o.minutes, "possible": o.possible,
                     "reason": o.reason, "price": None if o.price is None else str(o.price)}
                    for o in found.options],
    }


class DayDetailOut(BaseModel):
    child_id: UUID
    date: date
    first_name: str
    last_name: str
    open: bool
    closing_reason: str | None
    placement: PlacementOut | None
    group_name: str | None
    location_name: str | None
    parts: list[PlannedPartOut]
    requests: list[dict[str, Any]] = Field(default_factory=list)
    generated_at: datetime
