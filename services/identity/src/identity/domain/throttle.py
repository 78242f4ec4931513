"""Failed-login throttling: after repeated failures a key (e-mail or client address) is locked for a while."""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    max_failures: int
    window: timedelta
    lock_for: timedelta


EMAIL_POLICY = ThrottlePolicy(max_failures=5, window=timedelta(minutes=15), lock_for=timedelta(minutes=15))
ADDRESS_POLICY = ThrottlePolicy(max_failures=30, window=timedelta(minutes=15), lock_for=timedelta(minutes=15))


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    window_started_at: datetime
    locked_until: datetime | None


def locked(state: ThrottleState | None, now: datetime) -> datetime | None:
    """Until when the key is locked, or None."""
    if state is None or state.locked_until is None or state.locked_until <= now:
        return None
    return state.locked_until


def after_failure(state: ThrottleState | None, policy: ThrottlePolicy, now: datetime) -> ThrottleState:
    if state is None or now - state.window_started_at > policy.window:
        state = ThrottleState(failures=0, window_started_at=now, locked_until=None)
    failures = state.failures + 1
    locked_until = now + policy.lock_for if failures >= policy.max_failures else state.locked_until
    return ThrottleState(failures=failures, window_started_at=state.window_started_at, locked_until=locked_until)
