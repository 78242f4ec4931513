"""Messaging use cases: start a conversation, write to a whole group, reply, list and open conversations.

Messages are only ever inserted (the database refuses changing or removing them); the conversation row
carries the list's preview and is the lock that keeps a conversation's messages in commit order.
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from konnect_contracts.events.messaging import MessageSent
from konnect_kit.domain_errors import Invalid
from konnect_kit.internal import Caller
from konnect_kit.outbox import Outbox
from konnect_kit.tenancy import not_found
from sqlalchemy import and_, distinct, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from messaging.db.models import (
    conversation_reads,
    conversations,
    directory_children,
    directory_groups,
    directory_placements,
    messages,
)
from messaging.domain.conversations import MAX_SUBJECT, choose_group, clean_text, preview
from messaging.service_layer.idempotency import claim
from messaging.service_layer.participants import (
    About,
    Actor,
    actor_of,
    child_placements,
    participant_accounts,
    readable_conversation,
    today,
    visible_clause,
)

PAGE = 50


@dataclass(frozen=True)
class Draft:
    """What a caller writes: the text and (optional) attachment descriptions already stored."""

    text: str
    attachments: tuple[dict[str, Any], ...] = ()


async def start_conversation(session: AsyncSession, outbox: Outbox, who: Caller, *, child_id: UUID,
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
    child = (await session.execute(select(directory_children).where(
        directory_children.c.child_id == child_id, directory_children.c.organisation_id == actor.organisation_id,
        ~directory_children.c.deleted))).first()
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
    await session.execute(insert(conversations).values(**values))
    await _append(session, outbox, actor, values, Draft(text, draft.attachments), first=True)
    return conversation_id


async def message_group(session: AsyncSession, outbox: Outbox, who: Caller, *, group_id: UUID, subject: str,
                        draft: Draft, key: str | None) -> dict[str, Any]:
    """Staff (of that group) or an admin to the parents of a whole group: one conversation per family, so a
    family's reply reaches the staff only, never the other families."""
    actor = await actor_of(session, who)
    subject, text = clean_text(subject, limit=MAX_SUBJECT, field="subject"), clean_text(draft.text)
    group = (await session.execute(select(directory_groups).where(
        directory_groups.c.group_id == group_id, directory_groups.c.organisation_id == actor.organisation_id,
        ~directory_groups.c.deleted))).first()
    if group is None or (actor.role != "admin" and group_id not in actor.group_ids):
        raise not_found("group")
    day, p, ch = today(), directory_placements.c, directory_children.c
    families = sorted((await session.scalars(
        select(distinct(ch.family_id)).join(directory_children, ch.child_id == p.child_id).where(
            p.group_id == group_id, ~p.deleted, or_(p.ends_on.is_(None), p.ends_on >= day), ~ch.deleted))).all(),
        key=str)
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
        await session.execute(insert(conversations).values(**values))
        await _append(session, outbox, actor, values, Draft(text, draft.attachments), first=True)
    return result


async def reply(session: AsyncSession, outbox: Outbox, who: Caller, conversation_id: UUID, draft: Draft,
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


async def _append(session: AsyncSession, outbox: Outbox, actor: Actor, conversation: dict[str, Any], draft: Draft,
                  *, first: bool = False, message_id: UUID | None = None) -> UUID:
    message_id = message_id or uuid4()
    conversation_id = conversation["conversation_id"]
    sent = (await session.execute(insert(messages).values(
        message_id=message_id, conversation_id=conversation_id, organisation_id=actor.organisation_id,
        sender_account_id=actor.account_id, sender_role=actor.role, sender_name=actor.name, body=draft.text,
        attachments=list(draft.attachments)).returning(messages.c.seq, messages.c.sent_at))).one()
    short = preview(draft.text)
    await session.execute(update(conversations).where(conversations.c.conversation_id == conversation_id).values(
        last_seq=sent.seq, last_message_at=sent.sent_at, last_preview=short, last_sender_name=actor.name))
    await _mark_read(session, conversation_id, actor.account_id, sent.seq)
    recipients = await participant_accounts(session, About.of(conversation), today()) - {actor.account_id}
    await outbox.publish(session, MessageSent(
        message_id=message_id, conversation_id=conversation_id, organisation_id=actor.organisation_id,
        child_id=conversation["child_id"], group_id=conversation["group_id"], family_id=conversation["family_id"],
        sender_account_id=actor.account_id, sender_role=actor.role, sender_name=actor.name or None,  # type: ignore[arg-type]
        recipient_account_ids=tuple(sorted(recipients, key=str)), subject=conversation["subject"], preview=short,
        sent_at=sent.sent_at, attachment_count=len(draft.attachments), first_in_conversation=first,
    ), organisation_id=actor.organisation_id)
    return message_id


async def _mark_read(session: AsyncSession, conversation_id: UUID, account_id: UUID, seq: int) -> None:
    r = conversation_reads
    await session.execute(insert(r).values(conversation_id=conversation_id, account_id=account_id, last_read_seq=seq)
                          .on_conflict_do_update(index_elements=["conversation_id", "account_id"],
                                                 set_={"last_read_seq": func.greatest(r.c.last_read_seq, seq),
                                                       "read_at": func.now()}))


def _unread_of(account_id: UUID) -> Any:
    """Per conversation: messages of others after what this account has read (a correlated count)."""
    c, m, r = conversations.c, messages.c, conversation_reads.c
    # Correlated explicitly: the inner subquery refers to the outer list's conversation, two levels up.
    read_up_to = select(r.last_read_seq).where(r.conversation_id == c.conversation_id,
                                               r.account_id == account_id).correlate(conversations).scalar_subquery()
    return select(func.count()).where(m.conversation_id == c.conversation_id,
                                      m.seq > func.coalesce(read_up_to, 0),
                                      m.sender_account_id != account_id).correlate(conversations).scalar_subquery()


async def list_conversations(session: AsyncSession, who: Caller, *, before: int | None,
                             limit: int = PAGE) -> dict[str, Any]:
    """Newest activity first (cursor: the last item's `activity` sequence), with unread counts."""
    actor = await actor_of(session, who)
    c = conversations.c
    visible = visible_clause(actor, today())
    query = select(c.conversation_id, c.subject, c.child_id, c.group_id, c.family_id, c.broadcast_id, c.last_seq,
                   c.last_message_at, c.last_preview, c.last_sender_name, _unread_of(actor.account_id).label("unread"))
    query = query.where(visible, *([c.last_seq < before] if before is not None else []))
    rows = (await session.execute(query.order_by(c.last_seq.desc()).limit(limit + 1))).all()
    m, r = messages.c, conversation_reads.c
    total = await session.scalar(
        select(func.count()).select_from(messages.join(conversations, c.conversation_id == m.conversation_id)
                                         .outerjoin(conversation_reads, and_(
                                             r.conversation_id == m.conversation_id, r.account_id == actor.account_id)))
        .where(visible, m.seq > func.coalesce(r.last_read_seq, 0), m.sender_account_id != actor.account_id))
    page = rows[:limit]
    return {"items": [dict(row._mapping) for row in page], "unread_total": total or 0,
            "next_cursor": page[-1].last_seq if len(rows) > limit else None}


async def open_conversation(session: AsyncSession, who: Caller, conversation_id: UUID, *, before: int | None,
                            limit: int = PAGE, mark_read: bool = True) -> dict[str, Any]:
    """The conversation with its newest `limit` messages (older ones through `before`), marked read for this
    account only (`mark_read`: the answer to starting one, repeated by a retry, reads nothing new)."""
    actor = await actor_of(session, who)
    conversation = await readable_conversation(session, actor, conversation_id, today())
    m = messages.c
    query = select(messages).where(m.conversation_id == conversation_id,
                                   *([m.seq < before] if before is not None else []))
    rows = (await session.execute(query.order_by(m.seq.desc()).limit(limit + 1))).all()
    page = list(reversed(rows[:limit]))
    r = conversation_reads.c
    read_up_to = await session.scalar(select(r.last_read_seq).where(r.conversation_id == conversation_id,
                                                                    r.account_id == actor.account_id))
    if mark_read and conversation.last_seq and (read_up_to or 0) < conversation.last_seq:
        # Written only when something new was read: re-opening a read conversation stays a pure read.
        await _mark_read(session, conversation_id, actor.account_id, conversation.last_seq)
    return {"conversation": dict(conversation._mapping), "messages": [dict(row._mapping) for row in page],
            "older_cursor": page[0].seq if len(rows) > limit else None}


async def one_message(session: AsyncSession, who: Caller, message_id: UUID) -> dict[str, Any]:
    """One message, for whoever takes part in its conversation now (404 otherwise)."""
    actor = await actor_of(session, who)
    row = (await session.execute(select(messages).where(messages.c.message_id == message_id))).first()
    if row is None:
        raise not_found("message")
    await readable_conversation(session, actor, row.conversation_id, today())
    return dict(row._mapping)
