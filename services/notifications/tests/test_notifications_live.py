"""Live inbox over SSE from two real notification instances (uvicorn, one database): new items and unread counts
reach every stream of the account whichever instance stored them, and a reconnect with Last-Event-ID misses none."""

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import uvicorn
from konnect_contracts.events.messaging import MessageSent
from konnect_contracts.events.timeline import NewsPublished, PhotoPosted
from konnect_devstack.pytest_plugin import eventually
from notifications.main import create_app


@contextlib.asynccontextmanager
async def served(app: Any, port: int) -> AsyncIterator[str]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on"))
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, timeout=30)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


class Stream:
    """A test client reading one SSE stream into a list of (event, id, data)."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        self.base, self.headers = base, headers
        self.events: list[tuple[str, str | None, Any]] = []
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> "Stream":
        self.task = asyncio.create_task(self._read())
        await eventually(lambda: any(e[0] == "unread" for e in self.events))
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self.task is not None
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task

    async def _read(self) -> None:
        async with httpx.AsyncClient(timeout=httpx.Timeout(5, read=60)) as client, \
                client.stream("GET", f"{self.base}/inbox/stream", headers=self.headers) as response:
            assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
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

    def items(self) -> list[dict[str, Any]]:
        return [data for event, _, data in self.events if event == "item"]

    def last_id(self) -> str | None:
        ids = [event_id for event, event_id, _ in self.events if event == "item"]
        return ids[-1] if ids else None

    def unread(self) -> int | None:
        counts = [data["unread"] for event, _, data in self.events if event == "unread"]
        return counts[-1] if counts else None


async def test_live_items_reach_every_instance_and_resume_without_loss(notifications_env, inbox_world) -> None:
    env, w = notifications_env, inbox_world
    await env.publish(*(env.wrap(e) for e in w.directory()))
    settings = env.settings()
    anne = w.headers(w.anne)
    # Two instances of the service in one consumer group: either may store an item, both stream it.
    async with served(create_app(settings), env.closed_port()) as one, \
            served(create_app(settings), env.closed_port()) as two:
        await eventually(lambda: _placements(env))
        async with Stream(one, anne) as phone, Stream(two, anne) as laptop:
            assert phone.unread() == 0 and laptop.unread() == 0
            await env.publish(env.wrap(PhotoPosted(photo_id=uuid.uuid4(), organisation_id=w.org, group_id=w.group,
                                                   child_ids=(w.sem,), posted_by_staff_id=w.staff)))
            for stream in (phone, laptop):
                await eventually(lambda s=stream: s.items() and s.unread() == 1, timeout=10)
                assert stream.items()[0]["text"] == "1 nieuwe foto van Sem"
            seen = laptop.last_id()

        # The laptop is offline while a message and a news item arrive; it comes back on the other instance.
        await env.publish(env.wrap(MessageSent(
            message_id=uuid.uuid4(), conversation_id=uuid.uuid4(), organisation_id=w.org, child_id=w.sem,
            sender_account_id=w.staff, sender_role="staff", recipient_account_ids=(w.anne,), subject="Luiers",
            sent_at="2026-12-09T10:00:00Z", sender_name="Juf Sanne")))
        await env.publish(env.wrap(NewsPublished(news_id=uuid.uuid4(), organisation_id=w.org,
                                                 location_id=w.location, title="Kerst", audience="location")))
        await eventually(lambda: _items(env, w.anne, 3))
        async with Stream(one, {**anne, "Last-Event-ID": str(seen)}) as laptop_again:
            await eventually(lambda: len(laptop_again.items()) == 2 and laptop_again.unread() == 3)
            assert [i["text"] for i in laptop_again.items()] == ["Nieuw bericht van Juf Sanne: Luiers",
                                                                 "Nieuws: Kerst"]
            # Read on another device: the badge follows on this stream.
            async with httpx.AsyncClient() as client:
                item = laptop_again.items()[0]["item_id"]
                assert (await client.post(f"{two}/inbox/{item}/read", headers=anne)).json() == {"unread": 2}
            await eventually(lambda: laptop_again.unread() == 2, timeout=10)
        # Emma's stream never hears of Anne's items.
        async with Stream(two, w.headers(w.emma)) as emma:
            assert emma.unread() == 1 and emma.items() == []


async def _placements(env: Any) -> bool:
    return len(await env.fetch("SELECT 1 FROM placements")) == 2


async def _items(env: Any, account: uuid.UUID, expected: int) -> bool:
    return len(await env.fetch("SELECT 1 FROM inbox_items WHERE account_id = $1", account)) >= expected
