"""A person's in-app inbox: newest first with a cursor, the unread count for the badge, mark one or all read."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from konnect_kit.answers import json_answer
from konnect_kit.internal import CallerDep
from konnect_kit.service import ReaderDep, SessionDep
from pydantic import BaseModel, Field

from notifications.service_layer import inbox as use
from notifications.service_layer.inbox import InboxItemView, InboxPage
from notifications.service_layer.preferences import account_of

router = APIRouter(prefix="/inbox", tags=["inbox"])


class InboxItem(BaseModel):
    item_id: UUID
    kind: str = Field(description="What happened: photo_posted, message_sent, request_decided, ...")
    text: str = Field(description="One line in the account's language")
    link: str = Field(description="App path of the item, e.g. /conversations/{id}")
    count: int = Field(description="How many events this item stands for (a photo series, a burst of messages)")
    child_ids: list[UUID]
    created_at: datetime
    read: bool


class InboxPageOut(BaseModel):
    items: list[InboxItem]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page; null on the last")
    unread: int


class UnreadOut(BaseModel):
    unread: int


def item_content(view: InboxItemView) -> dict[str, Any]:
    """InboxItem's fields, in its order."""
    return {"item_id": view.item_id, "kind": view.kind, "text": view.text, "link": view.link, "count": view.count,
            "child_ids": list(view.child_ids), "created_at": view.created_at, "read": view.read}


def item_out(view: InboxItemView) -> InboxItem:
    return InboxItem.model_validate(item_content(view))


def page_content(page: InboxPage) -> dict[str, Any]:
    """InboxPageOut's content, written as it is (konnect_kit.answers): building and validating a model per item
    only to write it out again was a fifth of the inbox's CPU (py-spy, PROFILE-read-paths.md round 8).
    tests/test_notifications_inbox_json.py checks that both write the same bytes."""
    return {"items": [item_content(v) for v in page.items], "next_cursor": page.next_cursor, "unread": page.unread}


def _now(request: Request) -> datetime:
    return request.app.state.clock.now()


@router.get("", response_model=InboxPageOut, summary="My inbox, newest first")
async def inbox(who: CallerDep, reader: ReaderDep,
                cursor: Annotated[str | None, Query(max_length=20, description="next_cursor of the page before")
                                  ] = None,
                limit: Annotated[int, Query(ge=1, le=use.MAX_PAGE)] = 20) -> Response:
    return json_answer(page_content(await use.inbox_page(reader, account_of(who), cursor=cursor, limit=limit)))


@router.get("/unread-count", response_model=UnreadOut, summary="How many unread items (the badge)")
async def unread_count(who: CallerDep, reader: ReaderDep) -> UnreadOut:
    return UnreadOut(unread=await use.unread(reader, account_of(who)))


@router.post("/{item_id}/read", response_model=UnreadOut, summary="Mark one item read; the unread count after it",
             responses={404: {"description": "Not an item of this account"}})
async def mark_read(item_id: UUID, who: CallerDep, session: SessionDep, request: Request) -> UnreadOut:
    return UnreadOut(unread=await use.mark_read(session, account_of(who), item_id, _now(request)))


@router.post("/read-all", response_model=UnreadOut, summary="Mark every item read")
async def mark_all_read(who: CallerDep, session: SessionDep, request: Request) -> UnreadOut:
    return UnreadOut(unread=await use.mark_all_read(session, account_of(who), _now(request)))
