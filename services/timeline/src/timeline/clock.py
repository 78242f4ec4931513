"""The injectable clock: real UTC time in service, settable in tests (`app.state.clock`)."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request


class Clock:
    """Real time. Every "now" of My location and the retention job comes from here, so tests can move it."""

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
