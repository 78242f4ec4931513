"""Failed-login throttling with growing delays (backoff), keyed so that nobody can lock another person out.

An attempt is counted under several keys at once; each key waits longer after every failure past its
free allowance (backoff), and a key that is waiting refuses attempts without checking the password.

- ``pair``: (e-mail, client address). A person mistyping, or one address guessing one login.
- ``address``: one client address trying many logins (credential stuffing from one place).
- ``email``: every address together for one e-mail. Slows an attacker who spreads over many addresses,
  but only applies to devices this login has not used before.
- ``device``: (e-mail, a device this login has logged in from before). Such a device is judged by this
  key *alone*: an attacker elsewhere cannot make the person's own phone wait. The device id works like a
  device cookie: an attacker who does not have it is an unknown device; one who somehow has it can only
  delay that one device, never the person's other devices.

Nothing here knows about the database or the clock: callers pass the state and ``now``.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Kind = Literal["pair", "address", "email", "device"]

# 2**MAX_DOUBLINGS * the first delay is far beyond any max_delay; the cap keeps the arithmetic small.
MAX_DOUBLINGS = 30


@dataclass(frozen=True)
class BackoffPolicy:
    failures_before_delay: int  # the failure that reaches this count starts the first delay
    first_delay: timedelta
    max_delay: timedelta
    forget_after: timedelta  # without a failure for this long, the count starts again from zero

    def delay_after(self, failures: int) -> timedelta | None:
        """The wait after the `failures`-th failure in a row, or None while failures are still free."""
        if failures < self.failures_before_delay:
            return None
        doublings = min(failures - self.failures_before_delay, MAX_DOUBLINGS)
        return min(self.max_delay, self.first_delay * (2**doublings))


POLICIES: dict[Kind, BackoffPolicy] = {
    "pair": BackoffPolicy(5, timedelta(seconds=30), timedelta(minutes=15), timedelta(hours=1)),
    # Many people share one address (a day care's wifi, a carrier's NAT): more room before it waits.
    "address": BackoffPolicy(30, timedelta(seconds=30), timedelta(minutes=15), timedelta(hours=1)),
    "email": BackoffPolicy(10, timedelta(seconds=30), timedelta(minutes=15), timedelta(hours=1)),
    "device": BackoffPolicy(5, timedelta(seconds=30), timedelta(minutes=15), timedelta(hours=1)),
}


@dataclass(frozen=True)
class ThrottleState:
    failures: int
    last_failure_at: datetime
    locked_until: datetime | None


@dataclass(frozen=True)
class ThrottleKey:
    kind: Kind
    key: str  # as stored: pseudonymous (hashes), never a raw e-mail address or device id

    @property
    def policy(self) -> BackoffPolicy:
        return POLICIES[self.kind]


def subject_hash(value: str) -> str:
    """Pseudonym for an e-mail address or device id in keys and logs (stable, so events can be correlated)."""
    return hashlib.sha256(value.encode()).hexdigest()[:24]


def keys_for_attempt(email_normalized: str, client_ip: str, device_id: str | None,
                     known_device: bool) -> list[ThrottleKey]:
    """The keys that judge (and count) this attempt."""
    email = subject_hash(email_normalized)
    if known_device and device_id:
        return [ThrottleKey("device", f"device:{email}:{subject_hash(device_id)}")]
    address = client_ip[:64]
    return [ThrottleKey("pair", f"pair:{email}:{address}"), ThrottleKey("address", f"address:{address}"),
            ThrottleKey("email", f"email:{email}")]


def waiting_until(state: ThrottleState | None, now: datetime) -> datetime | None:
    """Until when the key refuses attempts, or None."""
    if state is None or state.locked_until is None or state.locked_until <= now:
        return None
    return state.locked_until


def lock_has_ended(state: ThrottleState | None, now: datetime) -> bool:
    """A lock that was set has run out (the moment to log its end, once)."""
    return state is not None and state.locked_until is not None and state.locked_until <= now


def after_failure(state: ThrottleState | None, policy: BackoffPolicy, now: datetime) -> ThrottleState:
    """Counts one more failure; past the free allowance the key waits, twice as long as the time before."""
    failures = 0 if state is None or now - state.last_failure_at > policy.forget_after else state.failures
    failures += 1
    delay = policy.delay_after(failures)
    return ThrottleState(failures=failures, last_failure_at=now, locked_until=now + delay if delay else None)
