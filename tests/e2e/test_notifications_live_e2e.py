"""The live inbox through the gateway: an event stream a client reads over real HTTP, an absence appearing on it
as an item, a resume with Last-Event-ID, and the stream closed by the gateway when the session logs out."""

import asyncio
import contextlib
import json
from datetime import timedelta
from typing import Any

import httpx
from konnect_devstack.pytest_plugin import eventually
from planning_world import build_planning_world, monday_in

STREAM = "/api/v1/inbox/stream"


class Reader:
    def __init__(self, gateway: httpx.AsyncClient, headers: dict[str, str]) -> None:
        self.gateway, self.headers = gateway, headers
        self.events: list[tuple[str, str | None, Any]] = []
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async with self.gateway.stream("GET", STREAM, headers=self.headers,
                                       timeout=httpx.Timeout(10, read=120)) as response:
            assert response.status_code == 200, await response.aread()
            event, event_id, data = "message", None, ""
            async for line in response.aiter_lines():
                if line == "":
                    if data:
                        self.events.append((event, event_id, json.loads(data)))
                    event, event_id, data = "message", None, ""
                elif line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("id: "):
                    event_id = line[4:]
                elif line.startswith("data: "):
                    data += line[6:]

    def of(self, kind: str) -> list[Any]:
        return [data for event, _, data in self.events if event == kind]

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


async def test_live_inbox_through_the_gateway_resumes_and_closes_at_logout(stack, gateway, mailpit) -> None:
    w = await build_planning_world(gateway, mailpit)
    eva = w.as_parent("eva")
    reader = Reader(gateway, eva)
    try:
        await eventually(lambda: reader.of("unread"), timeout=15)
        absence = await gateway.post("/api/v1/absences", headers=eva, json={
            "starts_on": (monday_in(2) + timedelta(days=1)).isoformat(), "reason": "sick",
            "children": [{"child_id": w.children["noor"], "day_part_ids": [w.parts["morning"]]}]})
        assert absence.status_code == 201, absence.text
        await eventually(lambda: reader.of("item") and reader.of("unread")[-1]["unread"] == 1, timeout=30)
        item = reader.of("item")[0]
        assert item["kind"] == "absence_reported" and item["text"] == "Afwezigheid van Noor geregistreerd"
        first_id = next(i for e, i, _ in reader.events if e == "item")
    finally:
        await reader.close()

    # Offline for a while: a second absence; back with Last-Event-ID, it comes first.
    again = await gateway.post("/api/v1/absences", headers=eva, json={
        "starts_on": monday_in(2).isoformat(), "reason": "other",  # Daan comes on Mondays
        "children": [{"child_id": w.children["daan"], "day_part_ids": [w.parts["morning"]]}]})
    assert again.status_code == 201, again.text
    resumed = Reader(gateway, {**eva, "Last-Event-ID": str(first_id)})
    await eventually(lambda: resumed.of("item") and resumed.of("unread"), timeout=30)
    assert [i["text"] for i in resumed.of("item")] == ["Afwezigheid van Daan geregistreerd"]

    # Logout (of this session, from anywhere): the gateway ends the stream and refuses to open it again.
    assert (await gateway.post("/api/v1/auth/logout", headers=eva)).status_code == 200
    await asyncio.wait_for(resumed.task, timeout=15)
    assert resumed.events[-1][0] == "session_ended"
    refused = await gateway.get(STREAM, headers=eva)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "session_ended"
