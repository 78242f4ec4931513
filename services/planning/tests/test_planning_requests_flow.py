"""Requests end to end on real PostgreSQL and Kafka: submit, evaluate (API and events), credits, expiry, cancel."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest
from konnect_contracts.envelope import Envelope, EventPayload
from konnect_contracts.events.credits import CreditGranted, CreditReservationFailed, CreditReserved
from konnect_contracts.events.directory import (
    ChildUpserted,
    FamilyUpserted,
    GroupUpserted,
    OrganisationUpserted,
    ParentUpserted,
    PlacementUpserted,
    WeeklySlot,
)
from konnect_contracts.events.requests import ChildEvaluated, RequestSubmitted
from konnect_devstack.pytest_plugin import eventually, internal_headers, running_app
from konnect_kit.clock import SettableClock
from konnect_kit.consumer import EventContext
from planning.api.request_models import OverviewOut
from planning.handlers import directory
from planning.main import create_app
from planning.settings import Settings

NOW = datetime(2030, 1, 7, 8, 0, tzinfo=UTC)  # Monday 09:00 in Amsterdam
MON, TUE, WED, THU, FRI, SAT = (date(2030, 1, d) for d in (14, 15, 16, 17, 18, 19))


@dataclass
class Env:
    client: Any
    app: Any
    service: Any  # the PlanningEnv (conftest)
    settings: Settings
    clock: SettableClock

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        return await self.service.fetch(sql, *args)

    async def events(self, event_type: str, key: str, value: Any) -> list[dict]:
        rows = await self.fetch("SELECT value FROM kit_outbox WHERE event_type = $1 ORDER BY id", event_type)
        return [e for e in (json.loads(bytes(r["value"])) for r in rows) if e["payload"].get(key) == str(value)]

    async def produce(self, event: EventPayload | Envelope) -> Envelope:
        """As its producer would (an ERP, credits): on the topic its contract names, in this environment."""
        [envelope] = await self.service.publish(event, producer="erp-test")
        return envelope


@pytest.fixture(scope="module")
async def env(shared_env) -> AsyncIterator[Env]:
    settings = shared_env.settings(expiry_poll_seconds=0.1)
    clock = SettableClock(NOW)
    app = create_app(settings, clock=clock)
    async with running_app(app) as client:
        yield Env(client, app, shared_env, settings, clock)


@dataclass
class Org:
    org: str
    family: str
    parent: str
    children: list[str]
    group: str
    morning: str
    afternoon: str
    short: str
    other_care: str

    def parent_headers(self) -> dict[str, str]:
        return internal_headers("parent", self.parent, self.org)

    def staff(self) -> dict[str, str]:
        return internal_headers("staff", str(uuid.uuid4()), self.org)

    def admin(self) -> dict[str, str]:
        return internal_headers("org_admin", str(uuid.uuid4()), self.org)


def new() -> str:
    return str(uuid.uuid4())


async def feed(env: Env, *events: Any) -> None:
    """Directory facts through the calendar's own handlers, as if identity's events had arrived."""
    handlers = {OrganisationUpserted: directory.organisation_upserted, GroupUpserted: directory.group_upserted,
                FamilyUpserted: directory.family_upserted, ParentUpserted: directory.parent_upserted,
                ChildUpserted: directory.child_upserted, PlacementUpserted: directory.placement_upserted}
    kit = env.app.state.kit
    async with kit.database.transaction() as session:
        for event in events:
            ctx = EventContext(session, Envelope.wrap(event, producer="identity", correlation_id="t"), kit.outbox)
            await handlers[type(event)](ctx, event)


async def organisation(env: Env, *, children: int = 2, **policy: Any) -> Org:
    o = Org(new(), new(), new(), [new() for _ in range(children)], new(), new(), new(), new(), new())
    await feed(env, OrganisationUpserted(organisation_id=o.org, version=1, name="De Regenboog"))
    admin = o.admin()
    parts = [(o.morning, "day_care", "Ochtend", "07:30", "13:00", {"price_per_part": "50.00"}),
             (o.afternoon, "day_care", "Middag", "13:00", "18:30", {"price_per_hour": "9.00"}),
             (o.short, "day_care", "Kort", "13:00", "15:00", {"price_per_part": "20.00"}),
             (o.other_care, "after_school", "BSO", "15:00", "18:30", {"price_per_part": "30.00"})]
    for part_id, care, name, start, end, price in parts:
        r = await env.client.put(f"/planning/day-parts/{part_id}", headers=admin, json={
            "organisation_id": o.org, "care_type": care, "name": name, "starts_at": start, "ends_at": end, **price})
        assert r.status_code == 200, r.text
    r = await env.client.put(f"/planning/organisations/{o.org}/settings", headers=admin,
                             json={"cancel_window_hours": 24, "staff_may_evaluate": True, **policy})
    assert r.status_code == 200, r.text
    location = new()
    await feed(env, GroupUpserted(organisation_id=o.org, version=1, group_id=o.group, location_id=location,
                                  name="Uiltjes", care_type="day_care"),
               FamilyUpserted(organisation_id=o.org, version=1, family_id=o.family, name="De Vries"),
               ParentUpserted(organisation_id=o.org, version=1, account_id=o.parent, family_id=o.family,
                              name="Eva", email="eva@example.com"))
    for child in o.children:
        await feed(env, ChildUpserted(organisation_id=o.org, version=1, child_id=child, family_id=o.family,
                                      first_name="Noor", last_name="de Vries", birth_date=date(2026, 6, 14)),
                   PlacementUpserted(organisation_id=o.org, version=1, placement_id=new(), child_id=child,
                                     family_id=o.family, group_id=o.group, care_type="day_care",
                                     starts_on=date(2029, 1, 1), weekly_pattern=(
                                         WeeklySlot(weekday=0, day_part_ids=(o.morning,)),
                                         WeeklySlot(weekday=2, day_part_ids=(o.morning, o.afternoon)))))
    return o


def extra(o: Org, day: date, children: list[str], parts: list[str], *, end: date | None = None,
          **kw: Any) -> dict:
    return {"bookings": [{"starts_on": day.isoformat(), **({"ends_on": end.isoformat()} if end else {}),
                          "children": [{"child_id": c, "day_part_ids": parts} for c in children]}], **kw}


async def submit(env: Env, o: Org, body: dict, status: int = 201, path: str = "/requests/extra-days") -> dict:
    r = await env.client.post(path, json=body, headers=o.parent_headers())
    assert r.status_code == status, r.text
    if status == 201:  # the answer (built from what was stored, not read back) is the request as it is stored
        stored = await env.client.get(f"/requests/{r.json()['request_id']}", headers=o.parent_headers())
        assert stored.json() == r.json()
    return r.json()


async def evaluate(env: Env, o: Org, request_id: str, child: str, outcome: str = "accepted", status: int = 200,
                   headers: dict | None = None) -> dict:
    body = {"outcome": outcome, **({"reason": "Group is full"} if outcome == "rejected" else {})}
    r = await env.client.post(f"/requests/{request_id}/children/{child}/evaluate", json=body,
                              headers=headers or o.staff())
    assert r.status_code == status, r.text
    return r.json()


async def statuses(env: Env, request_id: str) -> list[str]:
    rows = await env.fetch("SELECT status FROM request_lines WHERE request_id = $1 ORDER BY position",
                           uuid.UUID(request_id))
    return [r["status"] for r in rows]


# -- submitting ----------------------------------------------------------------------------------------


async def test_extra_day_request_is_pending_published_and_timed(env: Env) -> None:
    env.clock.set(NOW)
    o = await organisation(env)
    body = await submit(env, o, extra(o, TUE, o.children, [o.morning, o.afternoon], expires_on="2030-01-13"))
    assert body["status"] == "pending" and body["expires_on"] == "2030-01-13"
    child = body["children"][0]
    assert child["can_cancel"] and child["lines"][0]["minutes"] == 660
    assert child["lines"][0]["price"] == "99.50"  # 50.00 per part + 5.5 h x 9.00
    [event] = await env.events("RequestSubmitted", "request_id", body["request_id"])
    lines = event["payload"]["lines"]
    assert len(lines) == 2 and {x["child_id"] for x in lines} == set(o.children)
    assert lines[0]["care_type"] == "day_care" and lines[0]["in_school_holiday"] is False
    [outbox] = await env.fetch("SELECT key, topic FROM kit_outbox WHERE event_id = $1",
                               uuid.UUID(event["event_id"]))
    assert outbox["key"] == o.family and outbox["topic"] == RequestSubmitted.TOPIC
    [timer] = await env.fetch("SELECT fire_at FROM request_timers WHERE request_id = $1",
                              uuid.UUID(body["request_id"]))
    assert timer["fire_at"] == datetime(2030, 1, 13, 23, 0, tzinfo=UTC)  # end of the 13th in Amsterdam
    written = await env.client.get("/requests", headers=o.parent_headers())
    overview = written.json()
    assert [r["request_id"] for r in overview["requests"]] == [body["request_id"]]
    # Written from its content without building OverviewOut: the same bytes as the model writes (priced lines).
    assert written.content == OverviewOut.model_validate_json(written.content).model_dump_json().encode()
    # Tuesday has no planned care: the pending lines alone put it in the agenda ("Optie extra").
    agenda = (await env.client.get("/agenda", params={"from": TUE.isoformat(), "to": TUE.isoformat()},
                                   headers=o.parent_headers())).json()
    assert sorted((d["child_id"], d["requests"][0]["status"]) for d in agenda["days"]) == \
        sorted((c, "pending") for c in o.children)


async def test_bad_requests_are_refused_and_nothing_is_written(env: Env) -> None:
    env.clock.set(NOW)
    o = await organisation(env)
    stranger = await organisation(env, children=1)
    c = o.children[:1]
    cases = [
        (extra(o, date(2030, 1, 4), c, [o.afternoon]), 422, "date_in_past"),
        (extra(o, TUE, c, [o.afternoon], end=MON), 422, "period_invalid"),
        (extra(o, TUE, stranger.children, [o.afternoon]), 404, "not_found"),
        (extra(o, TUE, c, [o.other_care]), 422, "day_part_not_bookable"),
        (extra(o, MON, c, [o.morning]), 422, "already_planned"),
        (extra(o, SAT, c, [o.morning]), 422, "not_possible"),
        (extra(o, THU, c, [o.afternoon], end=FRI, all_or_nothing=True), 422, "all_or_nothing_single_date"),
        (extra(o, TUE, c, [o.afternoon], expires_on="2030-01-16"), 422, "expires_on_after_care"),
        (extra(o, TUE, c, [o.afternoon], expires_on="2030-01-06"), 422, "expires_on_in_past"),
        ({"bookings": [{"starts_on": TUE.isoformat(), "children": [
            {"child_id": c[0], "day_part_ids": [o.afternoon], "payment": "credit", "credit_id": new()}]}]},
         422, "unknown_credit"),
    ]
    for body, status, code in cases:
        r = await env.client.post("/requests/extra-days", json=body, headers=o.parent_headers())
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (body, r.text)
    planned = (await env.client.post("/requests/extra-days", json=extra(o, MON, c, [o.morning]),
                                     headers=o.parent_headers())).json()["error"]
    assert "Ochtend" in planned["message"] and planned["details"]["date"] == MON.isoformat()
    admin = o.admin()
    r = await env.client.put(f"/planning/groups/{o.group}/capacity/{o.afternoon}", headers=admin,
                             json={"capacity": 0})
    assert r.status_code == 200, r.text
    full = await env.client.post("/requests/extra-days", json=extra(o, TUE, c, [o.afternoon]),
                                 headers=o.parent_headers())
    assert full.status_code == 422 and full.json()["error"]["details"]["reason"] == "group_full"
    assert await env.fetch("SELECT 1 FROM requests WHERE family_id = $1", uuid.UUID(o.family)) == []
    assert await env.events("RequestSubmitted", "family_id", o.family) == []


# -- evaluating --------------------------------------------------------------------------------------


async def test_staff_evaluation_plans_care_once_and_a_second_evaluation_is_a_conflict(env: Env) -> None:
    env.clock.set(NOW)
    o = await organisation(env)
    body = await submit(env, o, extra(o, TUE, o.children, [o.afternoon]))
    rid = body["request_id"]
    first = await evaluate(env, o, rid, o.children[0])
    assert first["request"]["children"][0]["status"] == "accepted"
    again = await evaluate(env, o, rid, o.children[0], status=409)
    assert again["error"]["code"] == "not_pending" and "evaluated" in again["error"]["message"]
    assert await env.events("RequestDecided", "request_id", rid) == []
    await evaluate(env, o, rid, o.children[1], "rejected")
    assert await statuses(env, rid) == ["accepted", "rejected"]
    [decided] = await env.events("RequestDecided", "request_id", rid)
    assert {x["outcome"] for x in decided["payload"]["outcomes"]} == {"accepted", "rejected"}
    evaluated = await env.events("ChildEvaluated", "request_id", rid)
    assert len(evaluated) == 2 and evaluated[0]["payload"]["evaluated_by"] == "staff"
    changes = await env.fetch("SELECT child_id, date, delta FROM care_changes WHERE active AND source_kind = "
                              "'extra_day' AND child_id = ANY($1::uuid[])", o.children)
    assert [(str(r["child_id"]), r["date"], r["delta"]) for r in changes] == [(o.children[0], TUE, 1)]
    # Our own ChildEvaluated comes back through the consumer and is recognised, not applied twice.
    await eventually(lambda: env.app.state.kit.consumer.processed_total >= 2)
    await asyncio.sleep(0.5)
    assert len(await env.events("RequestDecided", "request_id", rid)) == 1
    # Once accepted the day is planned: a new request for it is refused.
    r = await env.client.post("/requests/extra-days", json=extra(o, TUE, o.children[:1], [o.afternoon]),
                              headers=o.parent_headers())
    assert r.json()["error"]["code"] == "already_planned"


async def test_staff_may_not_evaluate_where_the_organisation_says_so(env: Env) -> None:
    env.clock.set(NOW)
    o = await organisation(env, staff_may_evaluate=False)
    rid = (await submit(env, o, extra(o, TUE, o.children[:1], [o.afternoon])))["request_id"]
    assert (await evaluate(env, o, rid, o.children[0], status=403))["error"]["code"] == "forbidden"
    await evaluate(env, o, rid, o.children[0], headers=o.admin())
    other = await organisation(env)
    r = await env.client.post(f"/requests/{rid}/children/{o.children[0]}/evaluate", headers=other.admin(),
                              json={"outcome": "accepted"})
    assert r.status_code == 404


async def test_erp_evaluation_events_apply_once_and_duplicates_are_ignored(env: Env) -> None:
    env.clock.set(NOW)
    o = await organisation(env, children=1)
    body = await submit(env, o, extra(o, TUE, o.children, [o.afternoon]))
    rid, line = body["request_id"], body["children"][0]["lines"][0]["line_id"]

    def erp(outcome: str) -> ChildEvaluated:
        return ChildEvaluated(request_id=rid, organisation_id=o.org, family_id=o.family, line_id=line,
                              child_id=o.children[0], outcome=outcome, evaluated_by="erp", evaluator_id="afas-1")

    envelope = await env.produce(erp("accepted"))
    await eventually(lambda: _status_is(env, rid, ["accepted"]))
    await env.produce(envelope)  # the same event again
    await env.produce(erp("rejected"))  # a late contradiction
    processed = env.app.state.kit.consumer.processed_total
    await eventually(lambda: env.app.state.kit.consumer.processed_total >= processed + 1)
    await asyncio.sleep(0.5)
    assert await statuses(env, rid) == ["accepted"]
    [decided] = await env.events("RequestDecided", "request_id", rid)
    assert decided["payload"]["outcomes"][0]["outcome"] == "accepted"
    [row] = await env.fetch("SELECT evaluated_by, evaluator_id FROM request_lines WHERE line_id = $1",
                            uuid.UUID(line))
    assert (row["evaluated_by"], row["evaluator_id"]) == ("erp", "afas-1")
    assert (await evaluate(env, o, rid, o.children[0], status=409))["error"]["code"] == "not_pending"


async def _status_is(env: Env, rid: str, expected: list[str]) -> bool:
    return await statuses(env, rid) == expected


async def test_all_or_nothing_one_rejection_rejects_every_child(env: Env) -> None:
    env.clock.set(NOW)
    o = await organisation(env)
    rid = (await submit(env, o, extra(o, TUE, o.children, [o.afternoon], all_or_nothing=True)))["request_id"]
    first = await evaluate(env, o, rid, o.children[0])
    assert first["request"]["children"][0]["status"] == "pending"  # waits for the sibling
    await evaluate(env, o, rid, o.children[1], "rejected")
    assert await statuses(env, rid) == ["rejected", "rejected"]
    [decided] = await env.events("RequestDecided", "request_id", rid)
    assert [x["outcome"] for x in decided["payload"]["outcomes"]] == ["rejected", "rejected"]
    assert await env.fetch("SELECT 1 FROM care_changes WHERE child_id = ANY($1::uuid[]) AND source_kind = "
                           "'extra_day'", o.children) == []


# -- credits -----------------------------------------------------------------------------------------


async def test_credit_line_needs_evaluation_and_reservation(env: Env) -> None:
    env.clock.set(NOW)
    o = await organisation(env)
    credits = [new(), new()]
    for credit, child in zip(credits, o.children, strict=True):
        await env.produce(CreditGranted(
            credit_id=credit, organisation_id=o.org, child_id=child, unit="hours", amount="20",
            valid_from=date(2030, 1, 1), valid_until=date(2030, 12, 31)))
    await eventually(lambda: _credits_known(env, credits))
    body = {"bookings": [{"starts_on": TUE.isoformat(), "children": [
        {"child_id": c, "day_part_ids": [o.afternoon], "payment": "credit", "credit_id": k}
        for c, k in zip(o.children, credits, strict=True)]}]}
    wrong = json.loads(json.dumps(body))
    wrong["bookings"][0]["children"][0]["credit_id"] = credits[1]  # the sibling's credit: not transferable
    r = await env.client.post("/requests/extra-days", json=wrong, headers=o.parent_headers())
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_credit"
    request = await submit(env, o, body)
    rid = request["request_id"]
    lines = [c["lines"][0] for c in request["children"]]
    assert [x["credit_amount"] for x in lines] == ["5.50", "5.50"]
    written = await env.client.get("/requests", headers=o.parent_headers())  # credit-paid lines, as OverviewOut
    assert written.content == OverviewOut.model_validate_json(written.content).model_dump_json().encode()
    assert [line["credit_amount"] for c in written.json()["requests"][0]["children"] for line in c["lines"]] == \
        ["5.50", "5.50"]
    assert {x["reservation_status"] for x in lines} == {"pending"}
    await evaluate(env, o, rid, o.children[0])
    await evaluate(env, o, rid, o.children[1])
    assert await statuses(env, rid) == ["pending", "pending"]  # evaluated, not yet reserved
    await env.produce(CreditReserved(
        credit_id=credits[0], organisation_id=o.org, child_id=o.children[0], request_id=rid,
        line_id=lines[0]["line_id"], amount="5.50", remaining="14.50"))
    await env.produce(CreditReservationFailed(
        credit_id=credits[1], organisation_id=o.org, child_id=o.children[1], request_id=rid,
        line_id=lines[1]["line_id"], reason_code="insufficient_balance", reason="Not enough credit left."))
    await eventually(lambda: _status_is(env, rid, ["accepted", "rejected"]))
    [decided] = await env.events("RequestDecided", "request_id", rid)
    assert [x["reason"] for x in decided["payload"]["outcomes"]][1] == "Not enough credit left."


async def _credits_known(env: Env, credits: list[str]) -> bool:
    rows = await env.fetch("SELECT 1 FROM credit_grants WHERE credit_id = ANY($1::uuid[])", credits)
    return len(rows) == len(credits)


# -- expiry ------------------------------------------------------------------------------------------


async def test_pending_lines_expire_when_the_clock_passes_expires_on(env: Env) -> None:
    env.clock.set(NOW)
    o = await organisation(env)
    rid = (await submit(env, o, extra(o, TUE, o.children, [o.afternoon], expires_on="2030-01-10")))["request_id"]
    await evaluate(env, o, rid, o.children[0])
    env.clock.set(datetime(2030, 1, 10, 22, 59, tzinfo=UTC))  # 23:59 on the 10th in Amsterdam: not yet
    await asyncio.sleep(0.5)
    assert await statuses(env, rid) == ["accepted", "pending"]
    env.clock.set(datetime(2030, 1, 10, 23, 0, tzinfo=UTC))
    await eventually(lambda: _status_is(env, rid, ["accepted", "expired"]))
    [expired] = await env.events("RequestExpired", "request_id", rid)
    assert expired["payload"]["child_ids"] == [o.children[1]]
    [decided] = await env.events("RequestDecided", "request_id", rid)  # the evaluated line's outcome
    assert [x["child_id"] for x in decided["payload"]["outcomes"]] == [o.children[0]]
    view = (await env.client.get(f"/requests/{rid}", headers=o.parent_headers())).json()
    assert [c["status"] for c in view["children"]] == ["accepted", "expired"]
    assert not view["children"][1]["can_cancel"] and "expired" in view["children"][1]["cancel_blocked_reason"]
    assert (await evaluate(env, o, rid, o.children[1], status=409))["error"]["code"] == "not_pending"
    await asyncio.sleep(0.3)
    assert len(await env.events("RequestExpired", "request_id", rid)) == 1


async def test_two_workers_fire_each_timer_once(env: Env) -> None:
    from planning.expiry import ExpiryWorker

    env.clock.set(NOW)
    o = await organisation(env)
    rids = [(await submit(env, o, extra(o, day, o.children[:1], [o.afternoon], expires_on="2030-01-08")))
            ["request_id"] for day in (TUE, date(2030, 1, 17))]
    kit = env.app.state.kit
    workers = [ExpiryWorker(kit.database, kit.outbox, lambda: datetime(2030, 1, 9, tzinfo=UTC), poll_seconds=60)
               for _ in range(2)]
    fired = await asyncio.gather(*(w.drain() for w in workers))
    for rid in rids:
        assert len(await env.events("RequestExpired", "request_id", rid)) == 1
    assert sum(fired) <= 2


# -- cancelling --------------------------------------------------------------------------------------


async def test_cancel_a_period_inside_and_outside_the_window(env: Env) -> None:
    env.clock.set(NOW)
    o = await organisation(env)
    period = await submit(env, o, extra(o, TUE, o.children, [o.short], end=date(2030, 1, 18)))
    line = period["children"][0]["lines"][0]
    assert line["dates"] == ["2030-01-15", "2030-01-16", "2030-01-17", "2030-01-18"]
    rid = period["request_id"]
    r = await env.client.post(f"/requests/{rid}/children/{o.children[0]}/cancel", headers=o.parent_headers())
    assert r.status_code == 200, r.text
    assert [c["status"] for c in r.json()["children"]] == ["cancelled", "pending"]
    [cancelled] = await env.events("RequestCancelled", "request_id", rid)
    assert cancelled["payload"]["child_id"] == o.children[0] and cancelled["payload"]["line_ids"] == [line["line_id"]]
    again = await env.client.post(f"/requests/{rid}/children/{o.children[0]}/cancel", headers=o.parent_headers())
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_cancellable"
    env.clock.set(datetime(2030, 1, 13, 23, 0, tzinfo=UTC))  # 24 h before Tuesday in Amsterdam
    view = (await env.client.get("/requests", headers=o.parent_headers())).json()["requests"][0]
    assert not view["children"][1]["can_cancel"] and "24 hours" in view["children"][1]["cancel_blocked_reason"]
    late = await env.client.post(f"/requests/{rid}/children/{o.children[1]}/cancel", headers=o.parent_headers())
    assert late.status_code == 409 and late.json()["error"]["code"] == "cancel_window_passed"
    assert len(await env.events("RequestCancelled", "request_id", rid)) == 1
    stranger = await organisation(env, children=1)
    r = await env.client.post(f"/requests/{rid}/children/{o.children[1]}/cancel",
                              headers=stranger.parent_headers())
    assert r.status_code == 404


# -- swaps -------------------------------------------------------------------------------------------


async def test_swap_forfeits_the_rest_and_never_gains_time(env: Env) -> None:
    env.clock.set(NOW)
    o = await organisation(env, children=1)
    c = o.children[0]

    def swap(give: list[str], target: date, parts: list[str]) -> dict:
        return {"swaps": [{"child_id": c, "give_up_date": WED.isoformat(), "give_up_day_part_ids": give,
                           "target_date": target.isoformat(), "day_part_ids": parts}]}

    for body, code in [(swap([o.morning], MON, [o.afternoon]), "already_planned"),
                       (swap([o.short], TUE, [o.short]), "not_planned"),
                       (swap([o.morning], TUE, [o.morning, o.afternoon]), "swap_gains_time")]:
        r = await env.client.post("/requests/swaps", json=body, headers=o.parent_headers())
        assert r.status_code == 422 and r.json()["error"]["code"] == code, r.text
    done = await submit(env, o, swap([o.morning, o.afternoon], TUE, [o.morning]), path="/requests/swaps")
    line = done["children"][0]["lines"][0]
    assert line["forfeited_minutes"] == 330 and line["give_up_date"] == WED.isoformat()
    await evaluate(env, o, done["request_id"], c)
    rows = await env.fetch("SELECT date, delta, source_kind FROM care_changes WHERE child_id = $1 AND active "
                           "ORDER BY date, delta", uuid.UUID(c))
    assert [(r["date"], r["delta"], r["source_kind"]) for r in rows] == [
        (TUE, 1, "swap_target"), (WED, -1, "swap_give_up"), (WED, -1, "swap_give_up")]


# -- absences ----------------------------------------------------------------------------------------


async def test_absence_is_registered_at_once_and_can_be_cancelled_in_time(env: Env) -> None:
    env.clock.set(NOW)
    o = await organisation(env)
    body = {"starts_on": MON.isoformat(), "ends_on": WED.isoformat(), "reason": "vacation",
            "children": [{"child_id": c} for c in o.children]}
    r = await env.client.post("/absences", json=body, headers=o.parent_headers())
    assert r.status_code == 201, r.text
    absences = r.json()["absences"]
    assert {a["status"] for a in absences} == {"registered"} and all(a["can_cancel"] for a in absences)
    reported = await env.events("AbsenceReported", "family_id", o.family)
    assert sorted(e["payload"]["child_id"] for e in reported) == sorted(o.children)
    rows = await env.fetch("SELECT date, delta FROM care_changes WHERE source_id = $1 ORDER BY date",
                           uuid.UUID(absences[0]["absence_id"]))
    assert [(x["date"], x["delta"]) for x in rows] == [(MON, -1), (WED, -1), (WED, -1)]  # Tuesday is not planned
    single = {"starts_on": TUE.isoformat(), "reason": "sick", "children": [{"child_id": o.children[0]}]}
    refused = await env.client.post("/absences", json=single, headers=o.parent_headers())
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "not_planned"
    r = await env.client.post(f"/absences/{absences[0]['absence_id']}/cancel", headers=o.parent_headers())
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert await env.fetch("SELECT 1 FROM care_changes WHERE source_id = $1 AND active",
                           uuid.UUID(absences[0]["absence_id"])) == []
    assert len(await env.events("AbsenceCancelled", "family_id", o.family)) == 1
    env.clock.set(datetime(2030, 1, 13, 12, 0, tzinfo=UTC))
    late = await env.client.post(f"/absences/{absences[1]['absence_id']}/cancel", headers=o.parent_headers())
    assert late.status_code == 409 and late.json()["error"]["code"] == "cancel_window_passed"
    written = await env.client.get("/requests", headers=o.parent_headers())
    assert written.content == OverviewOut.model_validate_json(written.content).model_dump_json().encode()
    overview = written.json()
    assert {a["status"] for a in overview["absences"]} == {"registered", "cancelled"}
