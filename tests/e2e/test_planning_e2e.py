"""Planning and credits end to end: requests through the gateway, the example ERP over Kafka, mails in mailpit."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from e2e_world import OPERATOR, mail_to
from konnect_devstack.pytest_plugin import eventually, internal_headers
from konnect_devstack.stack import DOMAIN_SERVICES
from planning_world import (
    build_planning_world,
    deliveries_to,
    erp_client,
    grant_credit,
    monday_in,
    request_settled,
    statuses,
)


async def submit(gateway, w, parent: str, body: dict, *, kind: str = "extra-days") -> httpx.Response:
    """Submit; a credit granted a moment ago may not have reached planning yet, so that one case retries."""
    async def attempt() -> httpx.Response | None:
        r = await gateway.post(f"/api/v1/requests/{kind}", json=body, headers=w.as_parent(parent))
        return None if r.status_code == 422 and r.json()["error"]["code"] == "unknown_credit" else r

    return await eventually(attempt, timeout=30)


async def balance_of(gateway, w, child: str) -> dict:
    credits = await gateway.get(f"/api/v1/children/{w.children[child]}/credits", headers=w.as_parent("eva"))
    return credits.json()["items"][0]["balance"]


def booking(day, *children: str, parts: list[str], credit: str | None = None) -> dict:
    return {"starts_on": day.isoformat(), "children": [
        {"child_id": c, "day_part_ids": parts, **({"payment": "credit", "credit_id": credit} if credit else {})}
        for c in children]}


async def test_all_or_nothing_for_two_siblings_one_rejected_by_the_erp_rejects_both(gateway, mailpit, infra):
    w = await build_planning_world(gateway, mailpit)
    wednesday = monday_in(2) + timedelta(days=2)
    async with erp_client(infra.endpoints.kafka, w.org, w.children["daan"]):
        r = await submit(gateway, w, "eva", {"all_or_nothing": True, "bookings": [
            booking(wednesday, w.children["noor"], w.children["daan"], parts=[w.parts["morning"]])]})
        assert r.status_code == 201, r.text
        decided = await request_settled(gateway, w.as_parent("eva"), r.json()["request_id"])
    assert statuses(decided) == {w.children["noor"]: "rejected", w.children["daan"]: "rejected"}
    # One e-mail per parent with the outcome per child, in each parent's language.
    [nl] = await mail_to(mailpit, w.parents["eva"][1], subject_has="Extra dag voor Noor en Daan op")
    [en] = await mail_to(mailpit, w.parents["tom"][1], subject_has="Extra day for Noor and Daan on")
    assert nl["Subject"].endswith(" afgewezen") and en["Subject"].endswith(" rejected")
    assert "Noor" in nl["Text"] and "Daan" in nl["Text"] and "Groep vol" in nl["Text"]
    assert "Noor" in en["Text"] and "Daan" in en["Text"]
    agenda = (await gateway.get("/api/v1/agenda", params={"from": wednesday.isoformat(), "to": wednesday.isoformat()},
                                headers=w.as_parent("eva"))).json()
    assert not any(part["day_part_id"] == w.parts["morning"] for day in agenda["days"] for part in day["parts"])


async def test_accepted_request_changes_the_agenda_and_consumes_the_credit(gateway, mailpit, infra):
    w = await build_planning_world(gateway, mailpit)
    wednesday = monday_in(2) + timedelta(days=2)
    credit = await grant_credit(gateway, w, "noor", "5.5")  # exactly one morning (07:30-13:00)
    async with erp_client(infra.endpoints.kafka, w.org):
        r = await submit(gateway, w, "eva", {"all_or_nothing": True, "bookings": [
            booking(wednesday, w.children["noor"], parts=[w.parts["morning"]], credit=credit),
            booking(wednesday, w.children["daan"], parts=[w.parts["morning"]])]})
        assert r.status_code == 201, r.text
        decided = await request_settled(gateway, w.as_parent("eva"), r.json()["request_id"])
    assert set(statuses(decided).values()) == {"accepted"}
    agenda = (await gateway.get("/api/v1/agenda", params={"from": wednesday.isoformat(), "to": wednesday.isoformat()},
                                headers=w.as_parent("eva"))).json()
    planned = {(day["child_id"], part["day_part_id"]) for day in agenda["days"] for part in day["parts"]}
    assert {(w.children["noor"], w.parts["morning"]), (w.children["daan"], w.parts["morning"])} <= planned

    async def consumed() -> dict | None:
        balance = await balance_of(gateway, w, "noor")
        return balance if balance["consumed"] == "5.5" else None

    balance = await eventually(consumed)
    assert balance["usable"] == "0" and balance["reserved"] == "0"
    [mail] = await mail_to(mailpit, w.parents["eva"][1], subject_has="geaccepteerd")
    assert "Noor" in mail["Text"]


async def test_swap_to_a_shorter_part_forfeits_the_rest(gateway, mailpit, infra):
    w = await build_planning_world(gateway, mailpit)
    monday, wednesday = monday_in(2), monday_in(2) + timedelta(days=2)
    longer = await submit(gateway, w, "eva", {"swaps": [{
        "child_id": w.children["daan"], "give_up_date": monday.isoformat(),
        "give_up_day_part_ids": [w.parts["morning"]], "target_date": wednesday.isoformat(),
        "day_part_ids": [w.parts["morning"], w.parts["afternoon"]]}]}, kind="swaps")
    assert longer.status_code == 422  # a swap never gains time
    async with erp_client(infra.endpoints.kafka, w.org):
        r = await submit(gateway, w, "eva", {"swaps": [{
            "child_id": w.children["daan"], "give_up_date": monday.isoformat(),
            "give_up_day_part_ids": [w.parts["morning"]], "target_date": wednesday.isoformat(),
            "day_part_ids": [w.parts["short"]]}]}, kind="swaps")
        assert r.status_code == 201, r.text
        [line] = r.json()["children"][0]["lines"]
        assert line["forfeited_minutes"] == 330 - 120
        await request_settled(gateway, w.as_parent("eva"), r.json()["request_id"])
    days = (await gateway.get("/api/v1/agenda", params={"from": monday.isoformat(), "to": wednesday.isoformat()},
                              headers=w.as_parent("eva"))).json()["days"]
    daan = {(d["date"], p["day_part_id"]) for d in days if d["child_id"] == w.children["daan"] for p in d["parts"]}
    assert (monday.isoformat(), w.parts["morning"]) not in daan
    assert (wednesday.isoformat(), w.parts["short"]) in daan


async def test_an_absence_frees_a_place_someone_else_then_gets(gateway, mailpit, infra):
    w = await build_planning_world(gateway, mailpit)
    thursday = monday_in(2) + timedelta(days=3)
    ruben_wants = {"bookings": [booking(thursday, w.children["ruben"], parts=[w.parts["morning"]])]}
    full = await submit(gateway, w, "joris", ruben_wants)
    assert full.status_code == 422 and "full" in full.text  # Mila has the one morning place on Thursdays
    absence = await gateway.post("/api/v1/absences", json={
        "starts_on": thursday.isoformat(), "reason": "vacation",
        "children": [{"child_id": w.children["mila"], "day_part_ids": [w.parts["morning"]]}]},
        headers=w.as_parent("ilse"))
    assert absence.status_code == 201, absence.text
    assert absence.json()["absences"][0]["status"] == "registered"
    availability = (await gateway.get(f"/api/v1/availability/{w.children['ruben']}/{thursday.isoformat()}",
                                      headers=w.as_parent("joris"))).json()
    morning = next(o for o in availability["options"] if o["day_part_id"] == w.parts["morning"])
    assert morning["possible"] is True and morning["price"] == "55.00"
    async with erp_client(infra.endpoints.kafka, w.org):
        r = await submit(gateway, w, "joris", ruben_wants)
        assert r.status_code == 201, r.text
        decided = await request_settled(gateway, w.as_parent("joris"), r.json()["request_id"])
    assert statuses(decided) == {w.children["ruben"]: "accepted"}
    await mail_to(mailpit, w.parents["ilse"][1], subject_has="Afwezigheid")


async def test_a_request_nobody_evaluates_expires_when_the_clock_passes_its_day(gateway, mailpit, stack):
    w = await build_planning_world(gateway, mailpit)
    wednesday = monday_in(3) + timedelta(days=2)
    expires_on = monday_in(2)
    credit = await grant_credit(gateway, w, "noor", "5.5")
    r = await submit(gateway, w, "eva", {"expires_on": expires_on.isoformat(), "bookings": [
        booking(wednesday, w.children["noor"], parts=[w.parts["morning"]], credit=credit)]})
    assert r.status_code == 201, r.text
    request_id = r.json()["request_id"]

    async def reserved() -> bool:
        return (await balance_of(gateway, w, "noor"))["reserved"] == "5.5"

    await eventually(reserved)
    planning = next(s for s in DOMAIN_SERVICES if s.name == "planning")
    clock_url = f"{stack.url(planning)}/testing/clock"
    later = datetime.combine(expires_on + timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=1)
    async with httpx.AsyncClient(timeout=30) as planning_direct:  # the test clock is not public: no gateway
        try:
            moved = await planning_direct.put(clock_url, json={"now": later.isoformat()}, headers=internal_headers())
            assert moved.status_code == 200, moved.text
            expired = await request_settled(gateway, w.as_parent("eva"), request_id)
        finally:
            await planning_direct.delete(clock_url, headers=internal_headers())
    assert statuses(expired) == {w.children["noor"]: "expired"}
    await mail_to(mailpit, w.parents["eva"][1], subject_has="vervallen")

    async def released() -> bool:
        balance = await balance_of(gateway, w, "noor")
        return balance["reserved"] == "0" and balance["usable"] == "5.5"

    assert await eventually(released)


async def test_cancel_inside_and_outside_the_window_and_a_period_cancels_whole(gateway, mailpit):
    w = await build_planning_world(gateway, mailpit, cancel_window_hours=24 * 10)
    soon = monday_in(1) + timedelta(days=2)  # within ten days: too late to cancel
    later_start = monday_in(3) + timedelta(days=2)
    period = {"bookings": [{"starts_on": later_start.isoformat(),
                            "ends_on": (later_start + timedelta(days=2)).isoformat(),
                            "children": [{"child_id": w.children["noor"], "day_part_ids": [w.parts["afternoon"]]},
                                         {"child_id": w.children["daan"], "day_part_ids": [w.parts["afternoon"]]}]}]}
    near = await submit(gateway, w, "eva",
                        {"bookings": [booking(soon, w.children["daan"], parts=[w.parts["morning"]])]})
    far = await submit(gateway, w, "eva", period)
    assert near.status_code == far.status_code == 201, (near.text, far.text)
    assert len(far.json()["children"][0]["lines"][0]["dates"]) == 3
    blocked = await gateway.post(f"/api/v1/requests/{near.json()['request_id']}/children/{w.children['daan']}/cancel",
                                 headers=w.as_parent("eva"))
    assert blocked.status_code == 409 and blocked.json()["error"]["message"]
    overview = (await gateway.get("/api/v1/requests", headers=w.as_parent("eva"))).json()
    near_view = next(r for r in overview["requests"] if r["request_id"] == near.json()["request_id"])
    assert near_view["children"][0]["can_cancel"] is False and near_view["children"][0]["cancel_blocked_reason"]
    cancelled = await gateway.post(f"/api/v1/requests/{far.json()['request_id']}/children/{w.children['noor']}/cancel",
                                   headers=w.as_parent("eva"))
    assert cancelled.status_code == 200, cancelled.text
    by_child = {c["child_id"]: c for c in cancelled.json()["children"]}
    assert {line["status"] for line in by_child[w.children["noor"]]["lines"]} == {"cancelled"}
    assert {line["status"] for line in by_child[w.children["daan"]]["lines"]} == {"pending"}  # only Noor's period


async def test_bad_requests_are_refused_with_a_clear_message_and_nothing_is_written(gateway, mailpit):
    w = await build_planning_world(gateway, mailpit)
    wednesday = monday_in(2) + timedelta(days=2)
    before = (await gateway.get("/api/v1/requests", headers=w.as_parent("eva"))).json()
    other_orgs_part = str(uuid.uuid4())
    cases = {
        "past": {"bookings": [booking(wednesday - timedelta(days=30), w.children["noor"], parts=[w.parts["morning"]])]},
        "end before start": {"bookings": [{"starts_on": wednesday.isoformat(),
                                           "ends_on": (wednesday - timedelta(days=1)).isoformat(),
                                           "children": [{"child_id": w.children["noor"],
                                                         "day_part_ids": [w.parts["morning"]]}]}]},
        "other family": {"bookings": [booking(wednesday, w.children["mila"], parts=[w.parts["morning"]])]},
        "unknown part": {"bookings": [booking(wednesday, w.children["noor"], parts=[other_orgs_part])]},
        "already planned": {"bookings": [booking(monday_in(2), w.children["noor"], parts=[w.parts["morning"]])]},
        "all or nothing on a period": {"all_or_nothing": True, "bookings": [{
            "starts_on": wednesday.isoformat(), "ends_on": (wednesday + timedelta(days=1)).isoformat(),
            "children": [{"child_id": w.children["noor"], "day_part_ids": [w.parts["morning"]]}]}]},
        "unknown credit": {"bookings": [booking(wednesday, w.children["noor"], parts=[w.parts["morning"]],
                                                credit=str(uuid.uuid4()))]},
    }
    for name, body in cases.items():
        r = await gateway.post("/api/v1/requests/extra-days", json=body, headers=w.as_parent("eva"))
        assert 400 <= r.status_code < 500, (name, r.status_code, r.text)
        assert r.json()["error"]["message"], name
    after = (await gateway.get("/api/v1/requests", headers=w.as_parent("eva"))).json()
    assert after == before


async def test_the_same_request_sent_twice_at_once_books_the_day_part_once(gateway, mailpit):
    w = await build_planning_world(gateway, mailpit)
    wednesday = monday_in(2) + timedelta(days=2)
    body = {"bookings": [booking(wednesday, w.children["noor"], parts=[w.parts["morning"]])]}
    first, second = await asyncio.gather(*(gateway.post("/api/v1/requests/extra-days", json=body,
                                                        headers=w.as_parent("eva")) for _ in range(2)))
    assert sorted([first.status_code, second.status_code]) == [201, 422]
    refused = first if first.status_code == 422 else second
    assert refused.json()["error"]["message"]
    overview = (await gateway.get("/api/v1/requests", headers=w.as_parent("eva"))).json()
    assert len(overview["requests"]) == 1


async def test_accepting_into_a_full_group_needs_an_explicit_override(gateway, mailpit):
    w = await build_planning_world(gateway, mailpit)
    thursday = monday_in(2) + timedelta(days=3)
    away = await gateway.post("/api/v1/absences", headers=w.as_parent("ilse"), json={
        "starts_on": thursday.isoformat(), "reason": "sick",
        "children": [{"child_id": w.children["mila"], "day_part_ids": [w.parts["morning"]]}]})
    assert away.status_code == 201, away.text
    r = await submit(gateway, w, "joris", {"bookings": [booking(thursday, w.children["ruben"],
                                                                 parts=[w.parts["morning"]])]})
    assert r.status_code == 201, r.text
    absence_id = away.json()["absences"][0]["absence_id"]
    back = await gateway.post(f"/api/v1/absences/{absence_id}/cancel", headers=w.as_parent("ilse"))
    assert back.status_code == 200, back.text  # Mila comes after all: the one place is taken again
    client = (await gateway.post("/api/v1/auth/machine-clients", headers=OPERATOR,
                                 json={"organisation_id": w.org, "name": "Planning ERP"})).json()
    erp = (await gateway.post("/api/v1/auth/machine-token", json={
        "client_id": client["client_id"], "client_secret": client["client_secret"]})).json()
    erp_headers = {"Authorization": f"Bearer {erp['access_token']}"}
    queue = (await gateway.get("/api/v1/evaluation-queue", headers=erp_headers)).json()
    assert [item["request_id"] for item in queue["items"]] == [r.json()["request_id"]]  # only this org's, waiting
    assert (await gateway.get("/api/v1/evaluation-queue", headers=w.as_parent("joris"))).status_code == 403
    evaluate = f"/api/v1/requests/{r.json()['request_id']}/children/{w.children['ruben']}/evaluate"
    full = await gateway.post(evaluate, json={"outcome": "accepted"}, headers=erp_headers)
    assert full.status_code == 409 and full.json()["error"]["code"] == "group_full"
    forced = await gateway.post(evaluate, json={"outcome": "accepted", "override_capacity": True},
                                headers=erp_headers)
    assert forced.status_code == 200, forced.text
    assert statuses(forced.json()["request"]) == {w.children["ruben"]: "accepted"}
    assert (await gateway.get("/api/v1/evaluation-queue", headers=erp_headers)).json()["items"] == []


async def test_a_parent_who_switched_off_outcome_mail_gets_none_the_other_parent_does(gateway, mailpit, infra, stack):
    w = await build_planning_world(gateway, mailpit)
    settings = await gateway.put("/api/v1/notification-settings", headers=w.as_parent("tom"), json={
        "items": [{"kind": "request_decided", "email": False, "push": True}]})
    assert settings.status_code == 200, settings.text
    chosen = {item["kind"]: item for item in settings.json()["items"]}
    assert chosen["request_decided"]["email"] is False and chosen["request_expired"]["email"] is True
    wednesday = monday_in(2) + timedelta(days=2)
    async with erp_client(infra.endpoints.kafka, w.org):
        r = await submit(gateway, w, "eva", {"bookings": [booking(wednesday, w.children["noor"],
                                                                  parts=[w.parts["morning"]])]})
        assert r.status_code == 201, r.text
        await request_settled(gateway, w.as_parent("eva"), r.json()["request_id"])
    await mail_to(mailpit, w.parents["eva"][1], subject_has="geaccepteerd")
    # Both parents' mails would be queued in one transaction: Eva's arrived, so Tom's would exist by now.
    assert len(await deliveries_to(stack, w.parents["tom"][1])) == 1  # the invitation only
