"""The saga through Kafka: refusal reasons, then decided/expired/cancelled consume or release exactly once."""

import uuid
from collections import Counter
from datetime import date
from typing import Any

from konnect_contracts.events.requests import (
    LineOutcome,
    RequestCancelled,
    RequestDecided,
    RequestExpired,
    RequestLine,
)
from konnect_devstack.pytest_plugin import eventually, internal_headers

OPERATOR = internal_headers("platform_operator", "operator-1")


async def _outcomes(env: Any, request_id: uuid.UUID, expected: int) -> dict[str, Any] | None:
    found = {e.payload["line_id"]: e for e in await env.ledger()
             if e.payload.get("request_id") == str(request_id) and e.event_type.startswith("CreditReserv")}
    return found if len(found) >= expected else None


async def test_refusals_name_their_reason(shared_env, credits_app) -> None:
    env, client = shared_env, credits_app
    org, child = uuid.uuid4(), uuid.uuid4()
    holiday, day_care, small = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    for credit, body in ((holiday, env.grant_body(org, child, usage_rule="holiday_weeks")),
                         (day_care, env.grant_body(org, child, care_types=["day_care"])),
                         (small, env.grant_body(org, child, "1"))):
        assert (await client.put(f"/credits/{credit}", json=body, headers=OPERATOR)).status_code == 200
    lines = {
        "credit_not_found": env.credit_line(child, uuid.uuid4()),
        "wrong_child": env.credit_line(uuid.uuid4(), small),
        "not_valid_on_date": env.credit_line(child, small, on=date(2032, 1, 5)),
        "rule": env.credit_line(child, holiday, in_school_holiday=False),
        "care_type_not_allowed": env.credit_line(child, day_care, care_type="toddler"),
        "insufficient_balance": env.credit_line(child, small, "1.5"),
        "reserved": env.credit_line(child, holiday, "2", in_school_holiday=True),
    }
    invoice = RequestLine(line_id=uuid.uuid4(), child_id=child, group_id=uuid.uuid4(), starts_on=date(2031, 3, 5),
                          ends_on=date(2031, 3, 5), day_part_ids=(uuid.uuid4(),))
    foreign = env.submitted(uuid.uuid4(), env.credit_line(child, small))  # another tenant names our credit
    request = env.submitted(org, *lines.values(), invoice)
    await env.publish(env.wrap(request), env.wrap(foreign))

    found = await eventually(lambda: _outcomes(env, request.request_id, len(lines)))
    assert str(invoice.line_id) not in found  # paid by invoice: nothing for credits
    for name, line in lines.items():
        event = found[str(line.line_id)]
        if name == "reserved":
            assert event.event_type == "CreditReserved"
            assert event.payload["amount"] == "2" and event.payload["remaining"] == "1"
            continue
        assert event.event_type == "CreditReservationFailed", name
        expected = "not_valid_on_date" if name == "rule" else name
        assert event.payload["reason_code"] == expected and event.payload["reason"], name
    other = await eventually(lambda: _outcomes(env, foreign.request_id, 1))
    assert next(iter(other.values())).payload["reason_code"] == "credit_not_found"
    untouched = (await client.get(f"/credits/{small}", headers=OPERATOR)).json()
    assert untouched["balance"]["usable"] == "1" and untouched["history"] == []


async def test_decided_expired_cancelled_settle_each_reservation_once(shared_env, credits_app) -> None:
    env, client = shared_env, credits_app
    org, child, family, credit = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    body = env.grant_body(org, child, "10", unit="hours")
    assert (await client.put(f"/credits/{credit}", json=body, headers=OPERATOR)).status_code == 200
    accepted, rejected, expired, cancelled = (env.credit_line(child, credit, a) for a in ("1", "2", "3", "4"))
    request = env.submitted(org, accepted, rejected, expired, cancelled, family_id=family)
    submitted = env.wrap(request)
    await env.publish(submitted)
    await eventually(lambda: _outcomes(env, request.request_id, 4))
    ids = {"request_id": request.request_id, "organisation_id": org, "family_id": family}
    settling = [
        env.wrap(RequestCancelled(**ids, child_id=child, line_ids=(cancelled.line_id,))),
        env.wrap(RequestExpired(**ids, expired_line_ids=(expired.line_id,), child_ids=(child,))),
        env.wrap(RequestDecided(**ids, outcomes=(
            LineOutcome(line_id=accepted.line_id, child_id=child, outcome="accepted"),
            LineOutcome(line_id=rejected.line_id, child_id=child, outcome="rejected", reason="Groep vol"),
            # Lines credits never reserved (an invoice line, an unknown one) pass by without effect.
            LineOutcome(line_id=uuid.uuid4(), child_id=child, outcome="accepted")))),
    ]
    await env.publish(*settling)
    done = await eventually(lambda: _settled(env, request.request_id, 4))
    assert Counter((e.event_type, e.payload.get("cause")) for e in done.values()) == {
        ("CreditConsumed", None): 1, ("CreditReleased", "rejected"): 1, ("CreditReleased", "expired"): 1,
        ("CreditReleased", "cancelled"): 1}
    assert done[str(accepted.line_id)].payload["amount"] == "1"
    before = (await client.get(f"/credits/{credit}", headers=OPERATOR)).json()
    assert before["balance"] == {"granted": "10", "reserved": "0", "consumed": "1", "usable": "9"}

    # Everything again: the same envelopes (inbox) and the same facts under new event ids (state guards),
    # including a late cancellation of the accepted line and an expiry of the consumed one.
    replays = [submitted, *settling, *(env.wrap(e.payload_as(t)) for e, t in zip(
        [submitted, *settling], [type(request), RequestCancelled, RequestExpired, RequestDecided], strict=True))]
    late = [env.wrap(RequestCancelled(**ids, child_id=child, line_ids=(accepted.line_id, rejected.line_id))),
            env.wrap(RequestExpired(**ids, expired_line_ids=(accepted.line_id,)))]
    marker = env.credit_line(child, credit, "0.5")
    marker_request = env.submitted(org, marker, family_id=family)
    await env.publish(*replays, *late, env.wrap(marker_request))
    # Same family → same partition: once the marker is reserved, every replay before it was handled.
    await eventually(lambda: _outcomes(env, marker_request.request_id, 1))
    events = await env.ledger()
    assert len([e for e in events if e.payload.get("request_id") == str(request.request_id)]) == 8
    after = (await client.get(f"/credits/{credit}", headers=OPERATOR)).json()
    assert after["balance"] == {"granted": "10", "reserved": "0.5", "consumed": "1", "usable": "8.5"}
    assert [h for h in after["history"] if h["request_id"] == str(request.request_id)] == [
        h for h in before["history"]]


async def _settled(env: Any, request_id: uuid.UUID, expected: int) -> dict[str, Any] | None:
    found = {e.payload["line_id"]: e for e in await env.ledger()
             if e.payload.get("request_id") == str(request_id) and e.event_type in ("CreditConsumed", "CreditReleased")}
    return found if len(found) >= expected else None
