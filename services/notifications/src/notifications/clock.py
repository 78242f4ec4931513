"""The injectable clock: every "now" of the inbox, digests and quiet hours comes from here, so tests can move it."""

from datetime import UTC, datetime, timedelta


class Clock:
    """Real UTC time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class SettableClock(Clock):
    """Frozen at a set instant until moved (tests)."""

    def __init__(self, now: datetime) -> None:
        self.set(now)

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("the clock needs an aware datetime")
        self._now = now.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._now += delta
