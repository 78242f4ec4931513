"""Pure request rules: periods, expiry, cancel window, credit amounts, swaps, line status and all-or-nothing."""

import itertools
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from planning.domain.calendar import local_date
from planning.domain.payment import CreditFacts, check_credit_usable, credit_amount
from planning.domain.periods import (
    cancel_blocked_reason,
    check_period,
    dates_between,
    end_of_day,
    is_single_date,
    resolve_expires_on,
    start_of_day,
)
from planning.domain.refusals import Refusal
from planning.domain.requests import FINAL, LineState, is_decided, newly_final, resolve, verdict
from planning.domain.swaps import forfeited_minutes

AMS = "Europe/Amsterdam"
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


def line(payment: str = "invoice", **kw) -> LineState:
    return LineState(line_id=str(uuid.uuid4()), child_id=str(uuid.uuid4()), payment=payment, **kw)


# -- periods -----------------------------------------------------------------------------------------


@given(days, st.integers(0, 60))
def test_a_period_has_one_date_per_day_in_order(start: date, length: int) -> None:
    dates = list(dates_between(start, start + timedelta(days=length)))
    assert len(dates) == length + 1 and dates[0] == start and dates[-1] == start + timedelta(days=length)
    assert all(b - a == timedelta(days=1) for a, b in itertools.pairwise(dates))


@given(days, days, days)
def test_check_period_accepts_exactly_the_future_ordered_periods(start: date, end: date, today: date) -> None:
    ok = end >= start and start >= today and (end - start).days < 366
    try:
        check_period(start, end, today)
    except Refusal as refusal:
        assert not ok and refusal.kind == "invalid"
    else:
        assert ok


def test_refusal_codes_name_the_rule() -> None:
    with pytest.raises(Refusal) as past:
        check_period(date(2030, 1, 1), date(2030, 1, 1), date(2030, 1, 2))
    assert past.value.code == "date_in_past"
    with pytest.raises(Refusal) as order:
        check_period(date(2030, 1, 5), date(2030, 1, 4), date(2030, 1, 1))
    assert order.value.code == "period_invalid"


@given(st.one_of(st.none(), days), days, days)
def test_expires_on_lies_between_today_and_the_first_care_date(chosen, first_care: date, today: date) -> None:
    try:
        result = resolve_expires_on(chosen, first_care, today)
    except Refusal:
        assert chosen is not None and (chosen < today or chosen > first_care)
    else:
        assert result == (chosen or first_care) and result <= first_care


def test_the_timer_fires_at_local_midnight_after_expires_on_across_dst() -> None:
    # 2030-03-31: the clocks went forward that morning in Amsterdam (UTC+2 from then on).
    assert end_of_day(date(2030, 3, 31), AMS) == datetime(2030, 3, 31, 22, 0, tzinfo=UTC)
    assert end_of_day(date(2030, 1, 15), AMS) == datetime(2030, 1, 15, 23, 0, tzinfo=UTC)
    assert start_of_day(date(2030, 1, 16), AMS) == end_of_day(date(2030, 1, 15), AMS)
    assert local_date(datetime(2030, 1, 15, 23, 30, tzinfo=UTC), AMS) == date(2030, 1, 16)


def test_all_or_nothing_only_for_one_date() -> None:
    d = date(2030, 5, 6)
    assert is_single_date([(d, d), (d, d)])
    assert not is_single_date([(d, d), (d, d + timedelta(days=1))])
    assert not is_single_date([(d, d + timedelta(days=2))])


def test_cancel_window_counts_back_from_local_midnight_of_the_care_day() -> None:
    care = date(2030, 1, 10)
    deadline = datetime(2030, 1, 8, 23, 0, tzinfo=UTC)  # 24 h before 2030-01-10 00:00 in Amsterdam
    assert cancel_blocked_reason(care, deadline - timedelta(seconds=1), AMS, 24) is None
    assert "24 hours" in (cancel_blocked_reason(care, deadline, AMS, 24) or "")


@given(days, st.integers(0, 240), st.integers(-500, 500))
def test_cancel_is_allowed_exactly_before_the_deadline(care: date, window: int, offset_minutes: int) -> None:
    deadline = start_of_day(care, AMS) - timedelta(hours=window)
    now = deadline + timedelta(minutes=offset_minutes)
    assert (cancel_blocked_reason(care, now, AMS, window) is None) == (now < deadline)


# -- payment -----------------------------------------------------------------------------------------


@given(st.lists(st.tuples(st.integers(0, 720), st.integers(0, 4)), min_size=1, max_size=30))
def test_credit_amounts(per_date: list[tuple[int, int]]) -> None:
    minutes = [m for m, _ in per_date]
    parts = [p for _, p in per_date]
    hours = credit_amount("hours", minutes, parts)
    assert hours >= 0 and abs(hours - Decimal(sum(minutes)) / 60) <= Decimal("0.005")
    assert credit_amount("points", minutes, parts) == sum(parts)


def test_credit_amount_examples() -> None:
    assert credit_amount("hours", [330, 330], [1, 1]) == Decimal("11.00")  # 2 x 07:30-13:00
    assert credit_amount("hours", [20], [1]) == Decimal("0.33")
    assert credit_amount("points", [330, 600], [1, 2]) == 3
    with pytest.raises(Refusal):
        credit_amount("euros", [60], [1])


def test_a_credit_must_be_the_childs_and_usable_on_every_date() -> None:
    child = str(uuid.uuid4())
    credit = CreditFacts(str(uuid.uuid4()), child, "hours", date(2030, 1, 1), date(2030, 12, 31), ("day_care",))
    check_credit_usable(credit, child_id=child, dates=[date(2030, 5, 6)], care_type="day_care", in_school_holiday=False)
    cases = [
        (None, child, [date(2030, 5, 6)], "day_care", "unknown_credit"),
        (credit, str(uuid.uuid4()), [date(2030, 5, 6)], "day_care", "unknown_credit"),
        (credit, child, [date(2031, 1, 1)], "day_care", "credit_not_valid"),
        (credit, child, [date(2030, 5, 6)], "after_school", "credit_care_type"),
    ]
    for facts, child_id, dates, care_type, code in cases:
        with pytest.raises(Refusal) as refused:
            check_credit_usable(facts, child_id=child_id, dates=dates, care_type=care_type, in_school_holiday=False)
        assert refused.value.code == code
    holidays = CreditFacts(str(uuid.uuid4()), child, "points", date(2030, 1, 1), date(2030, 12, 31), (),
                           "holiday_weeks")
    check_credit_usable(holidays, child_id=child, dates=[date(2030, 7, 20)], care_type=None, in_school_holiday=True)
    with pytest.raises(Refusal):
        check_credit_usable(holidays, child_id=child, dates=[date(2030, 5, 6)], care_type=None,
                            in_school_holiday=False)


# -- swaps -------------------------------------------------------------------------------------------


@given(st.integers(0, 1440), st.integers(0, 1440))
def test_a_swap_never_gains_time_and_never_forfeits_negative_minutes(given_up: int, new: int) -> None:
    try:
        forfeited = forfeited_minutes(given_up, new)
    except Refusal as refusal:
        assert new > given_up and refusal.code == "swap_gains_time"
    else:
        assert forfeited >= 0 and new + forfeited == given_up


# -- line status -------------------------------------------------------------------------------------

evaluations = st.sampled_from([None, "accepted", "rejected"])
reservations = st.sampled_from(["none", "pending", "reserved", "failed"])


@given(evaluations, reservations)
def test_credit_line_needs_evaluation_and_reservation(evaluation, reservation) -> None:
    status, _ = verdict(line("credit", evaluation=evaluation, reservation=reservation,
                             reservation_reason="Not enough credit left."))
    if reservation == "failed" or evaluation == "rejected":
        assert status == "rejected"
    elif evaluation == "accepted" and reservation == "reserved":
        assert status == "accepted"
    else:
        assert status == "pending"


@given(evaluations)
def test_invoice_line_follows_its_evaluation(evaluation) -> None:
    assert verdict(line(evaluation=evaluation))[0] == (evaluation or "pending")


def test_failed_reservation_gives_credits_reason() -> None:
    status, reason = verdict(line("credit", evaluation="accepted", reservation="failed",
                                  reservation_reason="Not enough credit left."))
    assert (status, reason) == ("rejected", "Not enough credit left.")


@given(st.sampled_from(sorted(FINAL)), evaluations, reservations)
def test_final_lines_never_change(status, evaluation, reservation) -> None:
    final = line("credit", status=status, evaluation=evaluation, reservation=reservation)
    assert resolve([final], all_or_nothing=False)[0].status == status
    assert resolve([final], all_or_nothing=True)[0].status == status


line_inputs = st.tuples(st.sampled_from(["invoice", "credit"]), evaluations, reservations,
                        st.sampled_from(["pending", "pending", "pending", "cancelled", "expired"]))


@given(st.lists(line_inputs, min_size=1, max_size=5))
def test_all_or_nothing_is_all_or_nothing(inputs) -> None:
    lines = [line(p, evaluation=e, reservation=r, status=s) for p, e, r, s in inputs]
    after = resolve(lines, all_or_nothing=True)
    judged = {a.status for a in after if a.status not in ("cancelled", "expired")}
    # Never a mix: every open line ends up accepted, or rejected, or all still wait.
    assert len(judged) <= 1
    own = [verdict(x)[0] for x in lines if x.status == "pending"]
    if "rejected" in own:
        assert judged == {"rejected"}
    elif own and all(s == "accepted" for s in own):
        assert judged == {"accepted"}
    assert [a.status for a, b in zip(after, lines, strict=True) if b.status in ("cancelled", "expired")] == \
        [b.status for b in lines if b.status in ("cancelled", "expired")]


@given(st.lists(line_inputs, min_size=1, max_size=5))
def test_per_child_lines_follow_their_own_verdict(inputs) -> None:
    lines = [line(p, evaluation=e, reservation=r, status=s) for p, e, r, s in inputs]
    assert [a.status for a in resolve(lines, all_or_nothing=False)] == [verdict(x)[0] for x in lines]


def test_one_rejection_rejects_the_sibling_with_a_reason() -> None:
    a, b = line(evaluation="accepted"), line(evaluation="rejected", evaluation_reason="Group full")
    after = resolve([a, b], all_or_nothing=True)
    assert [x.status for x in after] == ["rejected", "rejected"]
    assert after[1].reason == "Group full" and "as a whole" in (after[0].reason or "")
    assert newly_final([a, b], after) == after and is_decided(after)


def test_decided_needs_every_line_final_and_one_judged() -> None:
    assert not is_decided([line(status="accepted"), line()])
    assert is_decided([line(status="accepted"), line(status="expired")])
    assert not is_decided([line(status="cancelled"), line(status="expired")])
