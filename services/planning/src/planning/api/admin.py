"""Calendar admin API: day parts, opening weekdays and policies, closing days, school holidays, group capacity."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response
from konnect_kit.db import Session
from konnect_kit.errors import ApiError
from konnect_kit.internal import Caller, CallerDep
from konnect_kit.service import SessionDep
from konnect_kit.tenancy import managing_scope, require_managed
from konnect_kit.values import SupportedDate

from planning.api.calendar_models import (
    CapacityIn,
    CapacityList,
    CapacityOut,
    CareType,
    ClosingDayIn,
    ClosingDayList,
    ClosingDayOut,
    DayPartIn,
    DayPartList,
    DayPartOut,
    HolidayIn,
    HolidayList,
    HolidayOut,
    SettingsIn,
    SettingsOut,
)
from planning.domain.calendar import minutes_between
from planning.service_layer import calendar_admin as admin
from planning.service_layer.calendar_admin import require_day_part_of, require_group, require_organisation

router = APIRouter(prefix="/planning", tags=["planning calendar"])

DateFrom = Annotated[SupportedDate | None, Query(alias="from")]
DateTo = Annotated[SupportedDate | None, Query(alias="to")]


async def _authorise(who: Caller, session: Session, organisation_id: UUID) -> None:
    # Another organisation's answers 404 like a missing one; a role that manages nothing gets 403.
    require_managed(who, organisation_id, refusal=REFUSAL)
    await require_organisation(session, organisation_id)


REFUSAL = "Planning is managed by organisation admins and ERP systems."


def _not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"No such {what}.")


# -- day parts ------------------------------------------------------------------------------------

def _day_part_out(row: Any) -> DayPartOut:
    return DayPartOut(day_part_id=row.day_part_id, organisation_id=row.organisation_id, care_type=row.care_type,
                      name=row.name, starts_at=row.starts_at, ends_at=row.ends_at,
                      price_per_hour=row.price_per_hour, price_per_part=row.price_per_part,
                      external_id=row.external_id, version=row.version,
                      minutes=minutes_between(row.starts_at, row.ends_at))


@router.put("/day-parts/{day_part_id}", response_model=DayPartOut)
async def put_day_part(day_part_id: UUID, body: DayPartIn, who: CallerDep, session: SessionDep) -> DayPartOut:
    await _authorise(who, session, body.organisation_id)
    values = body.model_dump(exclude={"organisation_id"})
    done = await admin.save_day_part(session, day_part_id, body.organisation_id, values)
    return DayPartOut(day_part_id=day_part_id, version=done.version,
                      minutes=minutes_between(body.starts_at, body.ends_at), **body.model_dump())


@router.get("/day-parts/{day_part_id}", response_model=DayPartOut)
async def get_day_part(day_part_id: UUID, who: CallerDep, session: SessionDep) -> DayPartOut:
    scope = managing_scope(who, refusal=REFUSAL)
    row = await admin.day_part_in(session, day_part_id, scope)
    if row is None:
        raise _not_found("day part")
    return _day_part_out(row)


@router.get("/day-parts", response_model=DayPartList)
async def list_day_parts(organisation_id: UUID, who: CallerDep, session: SessionDep,
                         care_type: CareType | None = None) -> DayPartList:
    await _authorise(who, session, organisation_id)
    rows = await admin.day_parts_of(session, organisation_id, care_type)
    return DayPartList(items=[_day_part_out(r) for r in rows])


# -- opening weekdays and policies ------------------------------------------------------------------

@router.put("/organisations/{organisation_id}/settings", response_model=SettingsOut)
async def put_settings(organisation_id: UUID, body: SettingsIn, who: CallerDep, session: SessionDep) -> SettingsOut:
    await _authorise(who, session, organisation_id)
    done = await admin.save_settings(session, organisation_id, body.model_dump())
    return SettingsOut(organisation_id=organisation_id, version=done.version, **body.model_dump())


@router.get("/organisations/{organisation_id}/settings", response_model=SettingsOut)
async def get_settings(organisation_id: UUID, who: CallerDep, session: SessionDep) -> SettingsOut:
    await _authorise(who, session, organisation_id)
    row = await admin.settings_of(session, organisation_id)
    if row is None:  # never set: the defaults apply (version 0 says so)
        return SettingsOut(organisation_id=organisation_id, version=0)
    return SettingsOut(organisation_id=organisation_id, version=row.version, open_weekdays=row.open_weekdays,
                       cancel_window_hours=row.cancel_window_hours, staff_may_evaluate=row.staff_may_evaluate)


# -- closing days ---------------------------------------------------------------------------------

@router.put("/organisations/{organisation_id}/closing-days/{day}", response_model=ClosingDayOut)
async def put_closing_day(organisation_id: UUID, day: SupportedDate, body: ClosingDayIn, who: CallerDep,
                          session: SessionDep) -> ClosingDayOut:
    await _authorise(who, session, organisation_id)
    done = await admin.save_closing_day(session, organisation_id, day, body.model_dump())
    return ClosingDayOut(organisation_id=organisation_id, date=day, version=done.version, **body.model_dump())


@router.delete("/organisations/{organisation_id}/closing-days/{day}", status_code=204)
async def delete_closing_day(organisation_id: UUID, day: SupportedDate, who: CallerDep,
                             session: SessionDep) -> Response:
    await _authorise(who, session, organisation_id)
    await admin.remove_closing_day(session, organisation_id, day)
    return Response(status_code=204)


@router.get("/organisations/{organisation_id}/closing-days", response_model=ClosingDayList)
async def list_closing_days(organisation_id: UUID, who: CallerDep, session: SessionDep,
                            start: DateFrom = None, end: DateTo = None) -> ClosingDayList:
    await _authorise(who, session, organisation_id)
    rows = await admin.closing_days_of(session, organisation_id, start, end)
    return ClosingDayList(items=[ClosingDayOut(organisation_id=r.organisation_id, date=r.date, reason=r.reason,
                                               version=r.version) for r in rows])


# -- school holidays ------------------------------------------------------------------------------

@router.put("/school-holidays/{holiday_id}", response_model=HolidayOut)
async def put_holiday(holiday_id: UUID, body: HolidayIn, who: CallerDep, session: SessionDep) -> HolidayOut:
    await _authorise(who, session, body.organisation_id)
    done = await admin.save_holiday(session, holiday_id, body.organisation_id,
                                    body.model_dump(exclude={"organisation_id"}))
    return HolidayOut(holiday_id=holiday_id, version=done.version, **body.model_dump())


@router.get("/school-holidays", response_model=HolidayList)
async def list_holidays(organisation_id: UUID, who: CallerDep, session: SessionDep,
                        start: DateFrom = None, end: DateTo = None) -> HolidayList:
    await _authorise(who, session, organisation_id)
    rows = await admin.holidays_of(session, organisation_id, start, end)
    return HolidayList(items=[HolidayOut(holiday_id=r.holiday_id, organisation_id=r.organisation_id, name=r.name,
                                         starts_on=r.starts_on, ends_on=r.ends_on, version=r.version) for r in rows])


# -- group capacity -------------------------------------------------------------------------------

@router.put("/groups/{group_id}/capacity/{day_part_id}", response_model=CapacityOut)
async def put_capacity(group_id: UUID, day_part_id: UUID, body: CapacityIn, who: CallerDep,
                       session: SessionDep) -> CapacityOut:
    group = await require_group(session, group_id)
    await _authorise(who, session, group.organisation_id)
    await require_day_part_of(session, day_part_id, group.organisation_id, group.care_type)
    done = await admin.save_capacity(session, group_id, day_part_id, group.organisation_id, body.model_dump())
    return CapacityOut(group_id=group_id, day_part_id=day_part_id, version=done.version, **body.model_dump())


@router.get("/groups/{group_id}/capacity", response_model=CapacityList)
async def list_capacity(group_id: UUID, who: CallerDep, session: SessionDep) -> CapacityList:
    group = await require_group(session, group_id)
    await _authorise(who, session, group.organisation_id)
    rows = await admin.capacity_of(session, group_id)
    return CapacityList(group_id=group_id, items=[
        CapacityOut(group_id=group_id, day_part_id=r.day_part_id, capacity=r.capacity, version=r.version)
        for r in rows])
