"""The failed-login throttle policy as pure logic: backoff growth, forgetting, and which keys judge an attempt."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from identity.domain import throttle
from identity.domain.throttle import POLICIES, BackoffPolicy, ThrottleState, after_failure, keys_for_attempt

T0 = datetime(2026, 1, 1, tzinfo=UTC)
emails = st.emails().map(str.lower)
addresses = st.ip_addresses().map(str)
device_ids = st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=40)
policies = st.builds(
    BackoffPolicy,
    failures_before_delay=st.integers(1, 50),
    first_delay=st.integers(1, 600).map(lambda s: timedelta(seconds=s)),
    max_delay=st.integers(600, 7200).map(lambda s: timedelta(seconds=s)),
    forget_after=st.integers(3600, 86400).map(lambda s: timedelta(seconds=s)),
)


@given(policies, st.integers(1, 500))
def test_delays_start_after_the_free_failures_grow_and_stay_capped(policy: BackoffPolicy, failures: int) -> None:
    delay = policy.delay_after(failures)
    if failures < policy.failures_before_delay:
        assert delay is None
        return
    assert delay is not None and timedelta(0) < delay <= policy.max_delay
    following = policy.delay_after(failures + 1)
    assert following is not None and delay <= following <= max(delay * 2, policy.max_delay)


@given(policies, st.lists(st.integers(0, 7200), min_size=1, max_size=60))
def test_a_key_is_locked_exactly_when_its_failures_in_a_row_reach_the_allowance(policy: BackoffPolicy,
                                                                             gaps: list[int]) -> None:
    state, moment, in_a_row = None, T0, 0
    for gap in gaps:
        moment += timedelta(seconds=gap)
        forgotten = state is not None and moment - state.last_failure_at > policy.forget_after
        in_a_row = 1 if state is None or forgotten else in_a_row + 1
        state = after_failure(state, policy, moment)
        assert state.failures == in_a_row and state.last_failure_at == moment
        assert (throttle.waiting_until(state, moment) is not None) == (in_a_row >= policy.failures_before_delay)


def test_an_attacker_who_retries_the_moment_each_delay_ends_gets_few_guesses_a_day() -> None:
    """Backoff, not a fixed lock: the old policy allowed 5 guesses per 15 minutes, 480 a day."""
    policy, state, moment, guesses = POLICIES["email"], None, T0, 0
    while moment < T0 + timedelta(days=1):
        state = after_failure(state, policy, moment)
        guesses += 1
        moment = throttle.waiting_until(state, moment) or moment + timedelta(milliseconds=1)
    assert guesses <= policy.failures_before_delay + 5 + 24 * 4  # free ones, the doubling, then 4 an hour


@given(emails, addresses, device_ids, st.lists(st.tuples(addresses, st.none() | device_ids), max_size=30))
def test_no_attempt_from_another_device_touches_the_keys_of_the_persons_own_device(
        email: str, home: str, own_device: str, attacks: list[tuple[str, str | None]]) -> None:
    """The heart of finding 2: what an attacker's failures count under never judges the person's device."""
    own = {k.key for k in keys_for_attempt(email, home, own_device, known_device=True)}
    for address, device in attacks:
        if device == own_device:
            continue  # holding the device id is holding the device (like a device cookie)
        attacker = {k.key for k in keys_for_attempt(email, address, device, known_device=False)}
        assert own.isdisjoint(attacker)


@given(emails, addresses, st.none() | device_ids, st.booleans())
def test_keys_name_neither_the_address_nor_the_device_in_clear(email: str, ip: str, device: str | None,
                                                               known: bool) -> None:
    keys = keys_for_attempt(email, ip, device, known)
    kinds = [k.kind for k in keys]
    assert kinds == (["device"] if known and device else ["pair", "address", "email"])
    for key in keys:
        assert email not in key.key and (device is None or len(device) < 12 or device not in key.key)
        assert key.policy is POLICIES[key.kind]


@given(emails, addresses, addresses)
def test_the_email_key_is_shared_by_all_addresses_and_the_pair_key_is_not(email: str, one: str,
                                                                         other: str) -> None:
    first = {k.kind: k.key for k in keys_for_attempt(email, one, None, False)}
    second = {k.kind: k.key for k in keys_for_attempt(email, other, None, False)}
    assert first["email"] == second["email"]
    assert (first["pair"] == second["pair"]) == (one == other) == (first["address"] == second["address"])


def test_an_ended_lock_is_noticed_once_its_time_is_over() -> None:
    state = ThrottleState(failures=5, last_failure_at=T0, locked_until=T0 + timedelta(seconds=30))
    assert throttle.waiting_until(state, T0 + timedelta(seconds=29)) is not None
    assert not throttle.lock_has_ended(state, T0 + timedelta(seconds=29))
    assert throttle.waiting_until(state, T0 + timedelta(seconds=30)) is None
    assert throttle.lock_has_ended(state, T0 + timedelta(seconds=30))
