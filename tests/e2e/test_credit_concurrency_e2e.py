"""Fifty parallel requests pay with one credit that covers three: three win, the rest are refused, replay is a no-op."""

import asyncio
from datetime import timedelta

from kafka_tools import events_of_organisation, republish, wait_until_consumed
from konnect_devstack.pytest_plugin import eventually
from planning_world import build_planning_world, deliveries_to, erp_client, grant_credit, monday_in, request_settled

TOPICS = ["planning.requests.v1", "planning.evaluations.v1", "credits.ledger.v1"]


async def test_fifty_parallel_requests_on_one_credit_for_three(gateway, mailpit, infra, stack):
    w = await build_planning_world(gateway, mailpit)
    noor = w.children["noor"]
    credit = await grant_credit(gateway, w, "noor", "16.5")  # exactly three mornings of 5.5 hours
    start = monday_in(2)
    days = [start + timedelta(weeks=week, days=day) for week in range(17) for day in (2, 3, 4)][:50]

    async def submit(day) -> str:
        async def attempt():  # planning may not have seen the brand-new credit yet
            r = await gateway.post("/api/v1/requests/extra-days", headers=w.as_parent("eva"), json={"bookings": [
                {"starts_on": day.isoformat(), "children": [
                    {"child_id": noor, "day_part_ids": [w.parts["morning"]], "payment": "credit",
                     "credit_id": credit}]}]})
            if r.status_code == 422 and r.json()["error"]["code"] == "unknown_credit":
                return None
            assert r.status_code == 201, r.text
            return r.json()["request_id"]

        return await eventually(attempt, timeout=30)

    bootstrap = infra.endpoints.kafka
    async with erp_client(bootstrap, w.org):
        request_ids = await asyncio.gather(*(submit(day) for day in days))
        settled = [await request_settled(gateway, w.as_parent("eva"), rid, timeout=90) for rid in request_ids]

    def outcome(request: dict) -> tuple[str, str]:
        [line] = request["children"][0]["lines"]
        return line["status"], line["reservation_status"]

    outcomes = [outcome(r) for r in settled]
    assert outcomes.count(("accepted", "reserved")) == 3
    refused = [r["children"][0]["lines"][0] for r in settled if outcome(r)[0] == "rejected"]
    assert len(refused) == 47
    assert all(line["reservation_status"] == "failed" and line["reason"] for line in refused)

    async def balance() -> dict:
        body = (await gateway.get(f"/api/v1/children/{noor}/credits", headers=w.as_parent("eva"))).json()
        return body["items"][0]

    async def settled_balance() -> dict | None:
        item = await balance()
        return item if item["balance"]["reserved"] == "0" else None

    before = await eventually(settled_balance, timeout=60)
    assert before["balance"] == {"granted": "16.5", "reserved": "0", "consumed": "16.5", "usable": "0"}
    assert before["state"] == "used_up"
    assert sum(1 for h in before["history"] if h["status"] == "consumed") == 3

    eva = w.parents["eva"][1]
    assert await eventually(lambda: mailpit.count(eva, "Extra dag voor Noor") == 50, timeout=60)  # one per request
    deliveries_before = await deliveries_to(stack, eva)
    assert len(deliveries_before) == 51  # the invitation and fifty decisions

    # Replay every event of this run once more: nothing may change anywhere.
    records = await events_of_organisation(bootstrap, TOPICS, w.org)
    assert len(records) >= 50 + 50 + 50  # submitted, evaluated and reservation results at least
    await republish(bootstrap, records)
    await wait_until_consumed(bootstrap, ["credits", "notifications"], TOPICS)
    # Planning reads its evaluations and the ledger (its own request events it no longer reads back).
    await wait_until_consumed(bootstrap, ["planning"], ["planning.evaluations.v1", "credits.ledger.v1"])
    after = await balance()
    assert after["balance"] == before["balance"] and after["history"] == before["history"]
    again = [outcome(await request_settled(gateway, w.as_parent("eva"), rid)) for rid in request_ids]
    assert again == outcomes
    assert await deliveries_to(stack, eva) == deliveries_before  # no mail queued twice
    assert mailpit.count(eva, "Extra dag voor Noor") == 50

