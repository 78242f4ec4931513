"""Conversation routes: list, open, start (parent or staff), write to a whole group, reply. Messages are never
changed or removed: there is no route for it."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response
from konnect_kit.answers import json_answer
from konnect_kit.internal import CallerDep
from konnect_kit.service import DatabaseDep, KitDep, ReaderDep, SessionDep

from messaging.api.models import (
    ConversationIn,
    ConversationListOut,
    ConversationOut,
    GroupMessageIn,
    GroupMessageOut,
    MessageIn,
    MessageOut,
    conversation_list,
    conversation_page,
)
from messaging.service_layer import conversations as use
from messaging.service_layer.attachments import drafted

router = APIRouter(tags=["messaging"])

IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=200,
    description="A client-chosen key per message: a retry with the same key never sends a second one.")]
Cursor = Annotated[int | None, Query(ge=1, le=2**62, description="A cursor from the previous page.")]
Limit = Annotated[int, Query(ge=1, le=200)]


def _conversation_out(found: dict, status_code: int = 200) -> Response:
    """ConversationOut, written straight from the rows (api.models.conversation_page)."""
    return json_answer(conversation_page(found["conversation"], found["messages"], found["older_cursor"]),
                       status_code)


@router.get("/conversations", response_model=ConversationListOut)
async def list_conversations(who: CallerDep, reader: ReaderDep, before: Cursor = None,
                             limit: Limit = use.PAGE) -> Response:
    found = await use.list_conversations(reader, who, before=before, limit=limit)
    # ConversationListOut, written straight from the rows (the messages tab's first call).
    return json_answer(conversation_list(found["items"], found["unread_total"], found["next_cursor"]))


@router.post("/conversations", response_model=ConversationOut, status_code=201)
async def start_conversation(body: ConversationIn, who: CallerDep, session: SessionDep, kit: KitDep,
                             idempotency_key: IdempotencyKey = None) -> Response:
    draft = await drafted(session, who, body.text, body.attachment_ids)
    conversation_id = await use.start_conversation(
        session, kit.outbox, who, child_id=body.child_id, group_id=body.group_id, subject=body.subject, draft=draft,
        key=idempotency_key)
    return _conversation_out(await use.started_conversation(session, who, conversation_id), status_code=201)


@router.post("/group-messages", response_model=GroupMessageOut, status_code=201)
async def message_group(body: GroupMessageIn, who: CallerDep, session: SessionDep, kit: KitDep,
                        idempotency_key: IdempotencyKey = None) -> GroupMessageOut:
    draft = await drafted(session, who, body.text, body.attachment_ids)
    result = await use.message_group(session, kit.outbox, who, group_id=body.group_id, subject=body.subject,
                                     draft=draft, key=idempotency_key)
    return GroupMessageOut(**result)


@router.get("/conversations/{conversation_id}", response_model=ConversationOut)
async def open_conversation(conversation_id: UUID, who: CallerDep, database: DatabaseDep, before: Cursor = None,
                            limit: Limit = use.PAGE) -> Response:
    # The use case reads, gives the connection back, then marks read in a unit of work of its own (DatabaseDep:
    # nothing for FastAPI to commit, so this route takes the lean path too).
    return _conversation_out(await use.open_conversation(database, who, conversation_id, before=before,
                                                         limit=limit))


@router.post("/conversations/{conversation_id}/messages", response_model=MessageOut, status_code=201)
async def reply(conversation_id: UUID, body: MessageIn, who: CallerDep, session: SessionDep, kit: KitDep,
                idempotency_key: IdempotencyKey = None) -> Response:
    draft = await drafted(session, who, body.text, body.attachment_ids)
    message_id = await use.reply(session, kit.outbox, who, conversation_id, draft, idempotency_key)
    # MessageOut, as PostgreSQL wrote it when the row was inserted (the conversation page splices the same).
    message = await use.one_message(session, who, message_id)
    return Response(message["answer"], status_code=201, media_type="application/json")
