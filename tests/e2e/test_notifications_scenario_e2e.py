"""One parent's notifications end to end on the running stack, through the gateway: a message burst and an
accepted extra day reach her inbox and live stream, mail comes as her settings say (and no more) from her
organisation with its Reply-To and a one-click unsubscribe, her calendar feed shows the extra day, revoking it
gives 404, and logging out closes the live stream."""

import asyncio
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import icalendar
from e2e_world import OPERATOR, address, bearer, logged_in, new_id, put
from konnect_devstack.pytest_plugin import eventually
from planning_world import build_planning_world, monday_in, request_settled
from test_notifications_live_e2e import STREAM, Reader

MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


async def mails(mailpit: Any, to: str, count: int) -> list[dict[str, Any]]:
    found = await eventually(lambda: (lambda m: m if len(m) >= count else None)(mailpit.messages_to(to)),
                             timeout=40)
    return [mailpit.message(m["ID"]) for m in found]


async def test_a_parents_notifications_end_to_end(stack, gateway, mailpit) -> None:
    w = await build_planning_world(gateway, mailpit)
    await put(gateway, f"/platform/organisations/{w.org}", {
        "name": "Kinderopvang Planning", "email": "info@planning.example",
        "logo_url": "https://planning.example/logo.png"})
    eva, eva_mail = w.as_parent("eva"), w.parents["eva"][1]
    # Eva wants messages in the evening digest, not one mail each; request outcomes stay immediate.
    chosen = await gateway.put("/api/v1/notification-settings", headers=eva, json={"items": [
        {"kind": "message_sent", "email": True, "push": True, "email_delivery": "digest"}]})
    assert chosen.status_code == 200, chosen.text
    feed = await gateway.post("/api/v1/calendar-feed", headers=eva)
    assert feed.status_code == 201, feed.text
    feed_path = urlsplit(feed.json()["url"]).path

    async def planned_days() -> set[str]:
        r = await gateway.get(feed_path)
        assert r.status_code == 200, r.text
        return {event.decoded("dtstart").date().isoformat()
                for event in icalendar.Calendar.from_ical(r.content).walk("VEVENT")}

    reader = Reader(gateway, eva)
    try:
        await eventually(lambda: reader.of("unread"), timeout=15)

        # An extra day for Noor on a Wednesday, accepted by the organisation's ERP.
        wednesday = monday_in(2) + timedelta(days=2)
        assert wednesday.isoformat() not in await planned_days()
        submitted = await gateway.post("/api/v1/requests/extra-days", headers=eva, json={"bookings": [{
            "starts_on": wednesday.isoformat(),
            "children": [{"child_id": w.children["noor"], "day_part_ids": [w.parts["morning"]]}]}]})
        assert submitted.status_code == 201, submitted.text
        request_id = submitted.json()["request_id"]
        client = (await gateway.post("/api/v1/auth/machine-clients", headers=OPERATOR,
                                     json={"organisation_id": w.org, "name": "ERP"})).json()
        erp = (await gateway.post("/api/v1/auth/machine-token", json={
            "client_id": client["client_id"], "client_secret": client["client_secret"]})).json()
        accepted = await gateway.post(f"/api/v1/requests/{request_id}/children/{w.children['noor']}/evaluate",
                                      json={"outcome": "accepted"}, headers=bearer(erp))
        assert accepted.status_code == 200, accepted.text
        await request_settled(gateway, eva, request_id)

        # The inbox item arrives live, the mail says what happened and comes from the organisation.
        await eventually(lambda: any(i["kind"] == "request_decided" for i in reader.of("item")), timeout=30)
        day = f"{WEEKDAYS[wednesday.weekday()]} {wednesday.day} {MONTHS[wednesday.month - 1]}"
        [_, decided] = sorted(await mails(mailpit, eva_mail, 2), key=lambda m: m["Date"])
        assert decided["Subject"] == f"Extra dag voor Noor op {day} geaccepteerd"
        assert decided["From"]["Name"] == "Kinderopvang Planning via Konnect"
        assert [r["Address"] for r in decided["ReplyTo"]] == ["info@planning.example"]
        assert f"/requests/{request_id}" in decided["Text"]
        async with httpx.AsyncClient() as mailpit_api:
            headers = (await mailpit_api.get(f"{mailpit.api}/api/v1/message/{decided['ID']}/headers")).json()
        assert headers["List-Unsubscribe-Post"] == ["List-Unsubscribe=One-Click"]
        # The calendar feed shows the accepted day.
        await eventually(lambda: _has(planned_days, wednesday.isoformat()), timeout=30)

        # A burst of five messages from Noor's group leader: one inbox item counting up, no mail (digest).
        staff_id, staff_mail = new_id(), address("juf")
        await put(gateway, f"/admin/directory/staff/{staff_id}", {
            "organisation_id": w.org, "name": "Juf Joyce", "email": staff_mail, "is_admin": False,
            "group_ids": [w.groups["dolfijnen"]]})
        juf = bearer(await logged_in(gateway, mailpit, staff_mail))

        async def started() -> httpx.Response | None:
            r = await gateway.post("/api/v1/conversations", headers={**juf, "Idempotency-Key": str(uuid.uuid4())},
                                   json={"child_id": w.children["noor"], "subject": "Schoenen", "text": "1"})
            return r if r.status_code == 201 else None  # messaging learns the new staff member from events

        conversation = (await eventually(started, timeout=30)).json()["conversation_id"]
        for n in range(2, 6):
            sent = await gateway.post(f"/api/v1/conversations/{conversation}/messages", json={"text": str(n)},
                                      headers={**juf, "Idempotency-Key": str(uuid.uuid4())})
            assert sent.status_code == 201, sent.text

        async def burst_counted() -> list[dict[str, Any]] | None:
            items = (await gateway.get("/api/v1/inbox", headers=eva)).json()["items"]
            messages = [i for i in items if i["kind"] == "message_sent"]
            return messages if messages and messages[0]["count"] == 5 else None

        [burst] = await eventually(burst_counted, timeout=30)
        assert burst["text"].startswith("5 nieuwe berichten van Juf Joyce")
        assert any(i["kind"] == "message_sent" for i in reader.of("item"))
        await asyncio.sleep(2)  # time enough for a wrongly sent message mail to show
        assert len(mailpit.messages_to(eva_mail)) == 2  # the invitation and the outcome: no more

        # Revoking the feed: its URL answers 404.
        assert (await gateway.delete("/api/v1/calendar-feed", headers=eva)).status_code == 204
        assert (await gateway.get(feed_path)).status_code == 404

        # Logging out ends the live stream.
        assert (await gateway.post("/api/v1/auth/logout", headers=eva)).status_code == 200
        await asyncio.wait_for(reader.task, timeout=15)
        assert reader.events[-1][0] == "session_ended"
        assert (await gateway.get(STREAM, headers=eva)).status_code == 401
    finally:
        await reader.close()


async def _has(days: Any, day: str) -> bool:
    return day in await days()
