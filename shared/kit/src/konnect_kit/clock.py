"""The injectable clock: real UTC time in service, settable in tests (`app.state.clock`), and the test-only route
that moves it (`PUT/DELETE /testing/clock`, mounted by a service only when its environment is `test`)."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import AwareDatetime, BaseModel

from konnect_kit.errors import ApiError
from konnect_kit.internal import GatewayCallDep


class Clock:
    """Real time. Every 'now' of a service that keeps time (expiry, retention, digests) comes from here, so tests
    can move it."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class SettableClock(Clock):
    """Real time until `set`; then frozen at the set instant until `advance`, another `set` or `reset`."""

    def __init__(self, now: datetime | None = None) -> None:
        self._fixed: datetime | None = None
        if now is not None:
            self.set(now)

    def now(self) -> datetime:
        return self._fixed if self._fixed is not None else super().now()

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        self._fixed = now.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._fixed = self.now() + delta

    def reset(self) -> None:
        self._fixed = None

    @property
    def is_set(self) -> bool:
        return self._fixed is not None


def clock_for(environment: str) -> Clock:
    # Only a test deployment may have its time moved; everywhere else the clock is the real one.
    return SettableClock() if environment == "test" else Clock()


async def get_clock(request: Request) -> Clock:
    return request.app.state.clock


ClockDep = Annotated[Clock, Depends(get_clock)]


testing_router = APIRouter(prefix="/testing", tags=["testing"], include_in_schema=False)


class ClockIn(BaseModel):
    now: AwareDatetime


class ClockOut(BaseModel):
    now: datetime
    fixed: bool


def _settable(clock: object) -> SettableClock:
    if not isinstance(clock, SettableClock):
        raise ApiError(404, "not_found", "Not found.")
    return clock


@testing_router.put("/clock", response_model=ClockOut)
async def set_clock(body: ClockIn, clock: ClockDep, _: GatewayCallDep) -> ClockOut:
    settable = _settable(clock)
    settable.set(body.now)
    return ClockOut(now=settable.now(), fixed=True)


@testing_router.delete("/clock", response_model=ClockOut)
async def reset_clock(clock: ClockDep, _: GatewayCallDep) -> ClockOut:
    settable = _settable(clock)
    settable.reset()
    return ClockOut(now=settable.now(), fixed=False)
