"""Property tests: generated payloads survive the envelope's bytes round trip unchanged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from konnect_contracts import Envelope, parse_payload
from konnect_contracts.envelope import EventPayload
from konnect_contracts.events.credits import CreditGranted
from konnect_contracts.events.messaging import MessageSent
from konnect_contracts.events.platform import ProbeRecorded
from konnect_contracts.events.requests import ChildEvaluated, RequestLine, RequestSubmitted

zones = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5, minutes=30))])
aware = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=zones)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
amounts = st.decimals(allow_nan=False, allow_infinity=False, min_value=0, max_value=10**6, places=2)
uuid_tuples = st.lists(st.uuids(), max_size=4).map(tuple)


@st.composite
def request_lines(draw: st.DrawFn) -> RequestLine:
    starts_on = draw(dates)
    payment = draw(st.sampled_from(["invoice", "credit"]))
    return RequestLine(
        line_id=draw(st.uuids()),
        child_id=draw(st.uuids()),
        group_id=draw(st.uuids()),
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=draw(st.integers(0, 30))),
        day_part_ids=tuple(draw(st.lists(st.uuids(), min_size=1, max_size=3))),
        payment=payment,
        price=draw(st.none() | amounts),
        credit_id=draw(st.uuids()) if payment == "credit" else None,
        credit_amount=draw(amounts) if payment == "credit" else None,
        give_up_date=draw(st.none() | dates),
        give_up_day_part_ids=draw(uuid_tuples),
        target_date=draw(st.none() | dates),
        forfeited_minutes=draw(st.integers(0, 24 * 60)),
    )


payloads = st.one_of(
    st.builds(ProbeRecorded, probe_id=st.uuids(), organisation_id=st.uuids(), label=st.text()),
    st.builds(
        RequestSubmitted,
        request_id=st.uuids(),
        organisation_id=st.uuids(),
        family_id=st.uuids(),
        location_id=st.none() | st.uuids(),
        kind=st.sampled_from(["extra_day", "swap"]),
        all_or_nothing=st.booleans(),
        expires_on=st.none() | dates,
        submitted_by_account_id=st.uuids(),
        lines=st.lists(request_lines(), min_size=1, max_size=4).map(tuple),
    ),
    st.builds(
        ChildEvaluated,
        request_id=st.uuids(),
        organisation_id=st.uuids(),
        family_id=st.uuids(),
        line_id=st.uuids(),
        child_id=st.uuids(),
        outcome=st.sampled_from(["accepted", "rejected"]),
        reason=st.none() | st.text(),
        evaluated_by=st.sampled_from(["staff", "erp"]),
        evaluator_id=st.text(min_size=1),
    ),
    st.builds(
        CreditGranted,
        credit_id=st.uuids(),
        organisation_id=st.uuids(),
        child_id=st.uuids(),
        unit=st.sampled_from(["hours", "points"]),
        amount=amounts.filter(lambda d: d > 0),
        valid_from=dates,
        valid_until=dates,
        usage_rule=st.sampled_from(["any_day", "holiday_weeks", "school_weeks"]),
        care_types=st.lists(st.sampled_from(["day_care", "after_school", "toddler"]), unique=True).map(tuple),
    ),
    st.builds(
        MessageSent,
        message_id=st.uuids(),
        conversation_id=st.uuids(),
        organisation_id=st.uuids(),
        child_id=st.none() | st.uuids(),
        group_id=st.none() | st.uuids(),
        sender_account_id=st.uuids(),
        sender_role=st.sampled_from(["parent", "staff", "admin"]),
        recipient_account_ids=uuid_tuples,
        subject=st.text(),
        preview=st.text(),
        sent_at=aware,
    ),
)


@settings(max_examples=150, deadline=None)
@given(payload=payloads, occurred_at=aware, correlation_id=st.text())
def test_payload_round_trips_through_envelope_bytes(
    payload: EventPayload, occurred_at: datetime, correlation_id: str
) -> None:
    env = Envelope.wrap(payload, producer="prop", correlation_id=correlation_id, occurred_at=occurred_at)
    back = Envelope.from_bytes(env.to_bytes())
    assert back == env
    assert back.occurred_at == occurred_at
    assert back.payload_as(type(payload)) == payload
    assert parse_payload(back) == payload
    assert back.organisation_id == payload.organisation_id  # type: ignore[attr-defined]
    assert type(payload).model_validate(back.payload).partition_key() == payload.partition_key()
