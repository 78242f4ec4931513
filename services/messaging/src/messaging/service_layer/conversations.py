"""Messaging use cases: start a conversation, write to a whole group, reply, list and open conversations.

Messages are only ever inserted (the database refuses changing or removing them); the conversation row
carries the list's preview and is the lock that keeps a conversation's messages in commit order.
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from konnect_contracts.events.messaging import MessageSent
from konnect_kit.db import Database, Reader, Session
from konnect_kit.domain_errors import Invalid
from konnect_kit.internal import Caller
from konnect_kit.outbox import Outbox
from konnect_kit.tenancy import not_found

from messaging.db import conversations as db
from messaging.domain.conversations import MAX_SUBJECT, choose_group, clean_text, preview
from messaging.domain.participants import About, Actor, Person
from messaging.service_layer.idempotency import claim
from messaging.service_layer.participants import (
    actor_of,
    child_placements,
    participant_accounts,
    person_of,
    readable_conversation,
    today,
)

PAGE = 50


@dataclass(frozen=True)
class Draft:
    """What a caller writes: the text and (optional) attachment descriptions already stored."""

    text: str
    attachments: tuple[dict[str, Any], ...] = ()


async def start_conversation(session: Session, outbox: Outbox, who: Caller, *, child_id: UUID,
                             group_id: UUID | None, subject: str, draft: Draft, key: str | None) -> UUID:
    """A parent about their child (in one of its groups), or staff/admin with the parents of one child."""
    actor = await actor_of(session, who)
    subject, text = clean_text(subject, limit=MAX_SUBJECT, field="subject"), clean_text(draft.text)
    conversation_id = uuid4()
    earlier = await claim(session, actor.account_id, key, "conversation", {
        "child_id": child_id, "group_id": group_id, "subject": subject, "text": text,
        "attachments": [a["attachment_id"] for a in draft.attachments]}, {"conversation_id": str(conversation_id)})
    if earlier:
        return UUID(earlier["conversation_id"])
    day = today()
    child = await db.child_in_organisation(session, child_id, actor.organisation_id)
    if child is None:
        raise not_found("child")
    groups = {placement.group_id for placement in await child_placements(session, child_id, day)}
    if actor.role == "parent":
        if child.family_id != actor.family_id:
            raise not_found("child")
        group = choose_group(group_id, groups)
    elif actor.role == "staff":
        mentor = child.mentor_staff_id is not None and child.mentor_staff_id == actor.staff_id
        mine = groups & actor.group_ids
        if not mine and not mentor:
            raise not_found("child")
        group = choose_group(group_id, groups if mentor else mine)
    else:
        group = choose_group(group_id, groups)
    values = {"conversation_id": conversation_id, "organisation_id": actor.organisation_id,
              "family_id": child.family_id, "child_id": child_id, "group_id": group, "subject": subject,
              "started_by_account_id": actor.account_id, "started_by_role": actor.role}
    await db.insert_conversation(session, values)
    await _append(session, outbox, actor, values, Draft(text, draft.attachments), first=True)
    return conversation_id


async def message_group(session: Session, outbox: Outbox, who: Caller, *, group_id: UUID, subject: str,
                        draft: Draft, key: str | None) -> dict[str, Any]:
    """Staff (of that group) or an admin to the parents of a whole group: one conversation per family, so a
    family's reply reaches the staff only, never the other families."""
    actor = await actor_of(session, who)
    subject, text = clean_text(subject, limit=MAX_SUBJECT, field="subject"), clean_text(draft.text)
    group = await db.group_in_organisation(session, group_id, actor.organisation_id)
    if group is None or (actor.role != "admin" and group_id not in actor.group_ids):
        raise not_found("group")
    families = await db.families_placed_in(session, group_id, today())
    if not families:
        raise Invalid("group_has_no_families", "No child is placed in this group: there is no one to write to.")
    result = {"broadcast_id": str(uuid4()), "group_id": str(group_id),
              "conversation_ids": [str(uuid4()) for _ in families]}
    earlier = await claim(session, actor.account_id, key, "group", {
        "group_id": group_id, "subject": subject, "text": text,
        "attachments": [a["attachment_id"] for a in draft.attachments]}, result)
    if earlier:
        return earlier
    for family_id, conversation_id in zip(families, result["conversation_ids"], strict=True):
        values = {"conversation_id": UUID(conversation_id), "organisation_id": actor.organisation_id,
                  "family_id": family_id, "child_id": None, "group_id": group_id, "subject": subject,
                  "started_by_account_id": actor.account_id, "started_by_role": actor.role,
                  "broadcast_id": UUID(result["broadcast_id"])}
        await db.insert_conversation(session, values)
        await _append(session, outbox, actor, values, Draft(text, draft.attachments), first=True)
    return result


async def reply(session: Session, outbox: Outbox, who: Caller, conversation_id: UUID, draft: Draft,
                key: str | None) -> UUID:
    """A new message in a conversation the caller takes part in now (404 otherwise)."""
    actor = await actor_of(session, who)
    text = clean_text(draft.text)
    message_id = uuid4()
    earlier = await claim(session, actor.account_id, key, "message", {
        "conversation_id": conversation_id, "text": text,
        "attachments": [a["attachment_id"] for a in draft.attachments]}, {"message_id": str(message_id)})
    if earlier:
        return UUID(earlier["message_id"])
    # Locked: messages of one conversation get their sequence numbers in commit order (read state relies on it).
    conversation = await readable_conversation(session, actor, conversation_id, today(), lock=True)
    return await _append(session, outbox, actor, dict(conversation._mapping), Draft(text, draft.attachments),
                         message_id=message_id)


async def _append(session: Session, outbox: Outbox, actor: Actor, conversation: dict[str, Any], draft: Draft,
                  *, first: bool = False, message_id: UUID | None = None) -> UUID:
    message_id = message_id or uuid4()
    conversation_id = conversation["conversation_id"]
    sent = await db.insert_message(
        session, message_id=message_id, conversation_id=conversation_id, organisation_id=actor.organisation_id,
        sender_account_id=actor.account_id, sender_role=actor.role, sender_name=actor.name, body=draft.text,
        attachments=list(draft.attachments))
    short = preview(draft.text)
    await db.set_last_message(session, conversation_id, seq=sent.seq, sent_at=sent.sent_at, preview=short,
                              sender_name=actor.name)
    await db.mark_read(session, conversation_id, actor.account_id, sent.seq)
    recipients = await participant_accounts(session, About.of(conversation), today()) - {actor.account_id}
    await outbox.publish(session, MessageSent(
        message_id=message_id, conversation_id=conversation_id, organisation_id=actor.organisation_id,
        child_id=conversation["child_id"], group_id=conversation["group_id"], family_id=conversation["family_id"],
        sender_account_id=actor.account_id, sender_role=actor.role, sender_name=actor.name or None,  # type: ignore[arg-type]
        recipient_account_ids=tuple(sorted(recipients, key=str)), subject=conversation["subject"], preview=short,
        sent_at=sent.sent_at, attachment_count=len(draft.attachments), first_in_conversation=first,
    ), organisation_id=actor.organisation_id)
    return message_id


async def list_conversations(reader: Reader, who: Caller, *, before: int | None,
                             limit: int = PAGE) -> dict[str, Any]:
    """Newest activity first (cursor: the last item's `activity` sequence), with unread counts: one statement."""
    person = person_of(who)
    found = await db.list_page(reader, person.role, account_id=person.account_id,
                               organisation_id=person.organisation_id, day=today(), before=before, n=limit + 1)
    page = found.rows[:limit]
    return {"items": page, "unread_total": found.unread_total,
            "next_cursor": page[-1]["last_seq"] if len(found.rows) > limit else None}


async def open_conversation(database: Database, who: Caller, conversation_id: UUID, *, before: int | None,
                            limit: int = PAGE) -> dict[str, Any]:
    """The conversation with its newest `limit` messages (older ones through `before`), marked read for this
    account only. Read in one statement on the lean read path; marked read in a short unit of work of its own,
    only when something new was read (re-opening a read conversation, the usual case, writes nothing). The
    connection is given back before the write: a request never holds two."""
    person = person_of(who)
    async with database.read() as reader:
        found = await _open(reader, person, conversation_id, before, limit)
    conversation = found.conversation
    if conversation["last_seq"] and conversation["read_seq"] < conversation["last_seq"]:
        async with database.transaction() as session:
            await db.mark_read(session, conversation_id, person.account_id, conversation["last_seq"])
    return _opened(found, limit)


async def started_conversation(session: Session, who: Caller, conversation_id: UUID) -> dict[str, Any]:
    """The answer to starting a conversation, in its (not yet committed) unit of work: nothing new to mark read."""
    return _opened(await _open(session, person_of(who), conversation_id, None, PAGE), PAGE)


async def _open(db_: Reader | Session, person: Person, conversation_id: UUID, before: int | None,
                limit: int) -> db.OpenPage:
    found = await db.open_page(db_, person.role, conversation_id, account_id=person.account_id,
                               organisation_id=person.organisation_id, day=today(), before=before, n=limit + 1)
    if found is None:
        raise not_found("conversation")
    return found


def _opened(found: db.OpenPage, limit: int) -> dict[str, Any]:
    """The newest `limit` messages' stored answers, oldest first; the cursor to older ones (the oldest shown's
    seq) when the statement found one more."""
    return {"conversation": found.conversation, "messages": found.answers[limit - 1::-1],
            "older_cursor": found.seqs[limit - 1] if len(found.seqs) > limit else None}


async def one_message(session: Session, who: Caller, message_id: UUID) -> dict[str, Any]:
    """One message, for whoever takes part in its conversation now (404 otherwise)."""
    actor = await actor_of(session, who)
    row = await db.message(session, message_id)
    if row is None:
        raise not_found("message")
    await readable_conversation(session, actor, row.conversation_id, today())
    return dict(row._mapping)
