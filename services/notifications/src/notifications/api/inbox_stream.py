"""Live inbox over Server-Sent Events: new items and the unread count, resumable with Last-Event-ID."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from konnect_kit.internal import CallerDep
from konnect_kit.service import KitDep

from notifications.api.inbox import item_out
from notifications.service_layer import inbox as use
from notifications.service_layer.inbox import InboxItemView
from notifications.service_layer.preferences import account_of

router = APIRouter(prefix="/inbox", tags=["inbox"])

HEARTBEAT_SECONDS = 15.0  # a comment line keeps proxies from closing an idle stream


def _item_event(view: InboxItemView) -> str:
    return f"id: {view.seq}\nevent: item\ndata: {item_out(view).model_dump_json()}\n\n"


def _unread_event(unread: int) -> str:
    return f"event: unread\ndata: {json.dumps({'unread': unread})}\n\n"


@router.get("/stream", summary="Live inbox (Server-Sent Events): `item` and `unread` events",
            description="Each `item` event carries its id; a client that reconnects sends the last one as "
                        "`Last-Event-ID` (or `last_event_id`) and gets every item it missed first. An `unread` "
                        "event follows every change of the count. The stream ends when the session ends.",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}})
async def stream(request: Request, who: CallerDep, kit: KitDep,
                 last_event_header: Annotated[str | None, Header(alias="Last-Event-ID", max_length=20)] = None,
                 last_event_id: Annotated[str | None, Query(max_length=20)] = None) -> StreamingResponse:
    account = account_of(who)
    hub = request.app.state.inbox_hub
    after = use.parse_event_id(last_event_header or last_event_id)
    wake = hub.subscribe(account)  # before the first read: nothing committed in between is missed

    async def events() -> AsyncIterator[str]:
        nonlocal after
        try:
            yield "retry: 2000\n\n"
            last_unread = None
            while True:
                wake.clear()
                items, unread, after = await _shared_read(kit, account, after)
                for view in items:
                    yield _item_event(view)
                if unread != last_unread:
                    yield _unread_event(unread)
                    last_unread = unread
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=HEARTBEAT_SECONDS)
                    continue
                yield ": keepalive\n\n"
        finally:
            hub.unsubscribe(account, wake)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"cache-control": "no-store", "x-accel-buffering": "no"})


# Reads scheduled but not yet begun, by (app, account, position): streams of one account woken by the same change
# (the app open on several devices, tabs) share one query instead of each running the same one. A read leaves
# this table when its query begins, so a stream only ever joins a read that sees everything committed before
# the stream woke.
_Read = asyncio.Task[tuple[list[InboxItemView], int, int]]
_reads: dict[tuple[int, UUID, int | None], _Read] = {}


async def _shared_read(kit: KitDep, account: UUID, after: int | None) -> tuple[list[InboxItemView], int, int]:
    key = (id(kit), account, after)
    pending = _reads.get(key)
    if pending is None:
        async def begin() -> tuple[list[InboxItemView], int, int]:
            if _reads.get(key) is asyncio.current_task():
                del _reads[key]
            return await _read(kit, account, after)

        pending = _reads[key] = asyncio.create_task(begin())
        # Cancelled before it began (shutdown): never left behind for later streams to join.
        pending.add_done_callback(lambda task: _reads.pop(key) if _reads.get(key) is task else None)
    # Shielded: one stream going away must not cancel the read the others wait for.
    return await asyncio.shield(pending)


async def _read(kit: KitDep, account: UUID, after: int | None) -> tuple[list[InboxItemView], int, int]:
    # A short transaction per wake-up: a stream holds no database connection while it waits.
    async with kit.database.transaction() as session:
        return await use.catch_up(session, account, after)
