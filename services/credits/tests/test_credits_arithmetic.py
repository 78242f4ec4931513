"""Pure credit rules with hypothesis: balances never leave [0, granted], states, rule fitting, transitions."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

from credits.domain.access import may_read_child
from credits.domain.ledger import Balance, Booking, CreditRules, credit_state, next_status, refusal, rule_fits
from hypothesis import given, settings
from hypothesis import strategies as st

amounts = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(50), places=4)
dates = st.dates(min_value=date(2030, 1, 1), max_value=date(2032, 12, 31))
CHILD = uuid.uuid4()


@settings(max_examples=300)
@given(granted=amounts, ops=st.lists(st.tuples(st.sampled_from(["reserve", "consume", "release"]),
                                               st.integers(0, 9), amounts), max_size=60))
def test_any_order_of_moves_keeps_usable_between_zero_and_granted(granted, ops) -> None:
    """Moves on up to ten reservations in any order, with invalid ones (duplicates, out of order) refused."""
    balance = Balance(granted)
    held: dict[int, tuple[str, Decimal]] = {}  # reservation → (status, amount)
    for action, line, amount in ops:
        status, reserved_amount = held.get(line, ("none", Decimal(0)))
        if action == "reserve":
            after = balance.reserve(amount) if status == "none" else None  # one reservation per line
            if after is not None:
                balance, held[line] = after, ("reserved", amount)
            else:
                assert status != "none" or amount > balance.usable
        else:
            moved = next_status(status, action) if status != "none" else None  # type: ignore[arg-type]
            if moved is None:
                continue  # a replay or a move of nothing: the guard leaves everything as it is
            balance = balance.consume(reserved_amount) if action == "consume" else balance.release(reserved_amount)
            held[line] = (moved, reserved_amount)
        assert Decimal(0) <= balance.usable <= granted
        assert balance.reserved == sum((a for s, a in held.values() if s == "reserved"), Decimal(0))
        assert balance.consumed == sum((a for s, a in held.values() if s == "consumed"), Decimal(0))


@given(granted=amounts, wanted=st.lists(amounts, min_size=1, max_size=30))
def test_reservations_never_split_and_never_overspend(granted, wanted) -> None:
    balance = Balance(granted)
    for amount in wanted:
        after = balance.reserve(amount)
        assert (after is None) == (amount > balance.usable)  # the whole amount or nothing
        balance = after or balance
    assert balance.reserved <= granted


def test_consume_and_release_only_move_reserved_amounts() -> None:
    balance = Balance(Decimal(3)).reserve(Decimal(2))
    assert balance is not None
    for move in (balance.consume, balance.release):
        for amount in (Decimal(0), Decimal("2.5")):
            try:
                move(amount)
            except ValueError:
                continue
            raise AssertionError("moving more than is reserved must fail")
    assert next_status("consumed", "release") is None and next_status("released", "consume") is None
    assert next_status("failed", "consume") is None and next_status("reserved", "consume") == "consumed"


@given(granted=amounts, used=st.decimals(min_value=0, max_value=1, places=2), start=dates,
       length=st.integers(0, 400), today=dates)
def test_state_follows_usable_and_validity(granted, used, start, length, today) -> None:
    until = start + timedelta(days=length)
    balance = Balance(granted, consumed=(granted * used).quantize(Decimal("0.0001")).min(granted))
    state = credit_state(balance, start, until, today)
    if balance.usable <= 0:
        assert state == "used_up"
    elif today > until:
        assert state == "expired"
    elif today < start:
        assert state == "not_yet_valid"
    else:
        assert state == "active" and start <= today <= until


@given(rule=st.sampled_from(["any_day", "holiday_weeks", "school_weeks"]), holiday=st.sampled_from([True, False, None]))
def test_usage_rules(rule, holiday) -> None:
    expected = {"any_day": True, "holiday_weeks": holiday is True, "school_weeks": holiday is False}[rule]
    assert rule_fits(rule, holiday) is expected


@given(start=dates, length=st.integers(0, 60), first=dates, days=st.integers(0, 20),
       allowed=st.sets(st.sampled_from(["day_care", "after_school", "toddler"])),
       care=st.sampled_from(["day_care", "after_school", "toddler", None]),
       rule=st.sampled_from(["any_day", "holiday_weeks", "school_weeks"]), holiday=st.sampled_from([True, False, None]))
def test_refusal_checks_every_date_rule_and_care_type(start, length, first, days, allowed, care, rule, holiday) -> None:
    rules = CreditRules(CHILD, start, start + timedelta(days=length), rule, tuple(sorted(allowed)))
    booking = Booking(CHILD, first, first + timedelta(days=days), care, holiday)
    reason = refusal(rules, booking)
    inside = rules.valid_from <= booking.starts_on and booking.ends_on <= rules.valid_until
    if not inside or not rule_fits(rule, holiday):
        assert reason == "not_valid_on_date"
    elif allowed and care not in allowed:
        assert reason == "care_type_not_allowed"
    else:
        assert reason is None
    assert refusal(rules, Booking(uuid.uuid4(), first, first, care, holiday)) == "wrong_child"
    assert refusal(None, booking) == "credit_not_found"


def test_who_reads_a_childs_credits() -> None:
    org, other, family = str(uuid.uuid4()), str(uuid.uuid4()), uuid.uuid4()

    def reads(role: str, caller_org: str | None, caller_family: object | None) -> bool:
        return may_read_child(role, caller_organisation_id=caller_org, child_organisation_id=org,
                              caller_family_id=caller_family, child_family_id=family)

    assert reads("platform_operator", None, None)
    assert reads("org_admin", org, None) and reads("erp", org, None)
    assert not reads("org_admin", other, None) and not reads("erp", None, None)
    assert reads("parent", org, family) and reads("parent", None, family)
    assert not reads("parent", org, uuid.uuid4()) and not reads("parent", other, family)
    assert not reads("parent", org, None) and not reads("staff", org, family)
