"""Test-only clock control: `PUT/DELETE /testing/clock`, mounted only when the environment is `test`."""

from datetime import datetime

from fastapi import APIRouter
from konnect_kit.errors import ApiError
from konnect_kit.internal import GatewayCallDep
from pydantic import AwareDatetime, BaseModel

from timeline.clock import ClockDep, SettableClock

router = APIRouter(prefix="/testing", tags=["testing"], include_in_schema=False)


class ClockIn(BaseModel):
    now: AwareDatetime


class ClockOut(BaseModel):
    now: datetime
    fixed: bool


def _settable(clock: object) -> SettableClock:
    if not isinstance(clock, SettableClock):
        raise ApiError(404, "not_found", "Not found.")
    return clock


@router.put("/clock", response_model=ClockOut)
async def set_clock(body: ClockIn, clock: ClockDep, _: GatewayCallDep) -> ClockOut:
    settable = _settable(clock)
    settable.set(body.now)
    return ClockOut(now=settable.now(), fixed=True)


@router.delete("/clock", response_model=ClockOut)
async def reset_clock(clock: ClockDep, _: GatewayCallDep) -> ClockOut:
    settable = _settable(clock)
    settable.reset()
    return ClockOut(now=settable.now(), fixed=False)
