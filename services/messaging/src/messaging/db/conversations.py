"""Conversation and message queries: start, append (messages are only ever inserted), read state, list, pages."""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from sqlalchemy import ColumnElement, and_, distinct, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert

from messaging.db.directory_records import live_record
from messaging.db.models import (
    conversation_reads,
    conversations,
    directory_children,
    directory_groups,
    directory_placements,
    messages,
)


async def child_in_organisation(session: Session, child_id: UUID, organisation_id: UUID) -> Any:
    return await live_record(session, directory_children, organisation_id,
                             directory_children.c.child_id == child_id)


async def group_in_organisation(session: Session, group_id: UUID, organisation_id: UUID) -> Any:
    return await live_record(session, directory_groups, organisation_id, directory_groups.c.group_id == group_id)


async def families_placed_in(session: Session, group_id: UUID, day: date) -> list[UUID]:
    """Every family with a child currently placed in the group (a future placement counts), in a stable order."""
    p, ch = directory_placements.c, directory_children.c
    families = (await session.scalars(
        select(distinct(ch.family_id)).join(directory_children, ch.child_id == p.child_id).where(
            p.group_id == group_id, ~p.deleted, or_(p.ends_on.is_(None), p.ends_on >= day), ~ch.deleted))).all()
    return sorted(families, key=str)


async def insert_conversation(session: Session, values: dict[str, Any]) -> None:
    await session.execute(insert(conversations).values(**values))


async def insert_message(session: Session, **values: Any) -> Any:
    """The new message's `seq` and `sent_at` (the database's: `seq` is the global order and the cursor)."""
    return (await session.execute(insert(messages).values(**values)
                                  .returning(messages.c.seq, messages.c.sent_at))).one()


async def set_last_message(session: Session, conversation_id: UUID, *, seq: int, sent_at: datetime, preview: str,
                           sender_name: str) -> None:
    await session.execute(update(conversations).where(conversations.c.conversation_id == conversation_id).values(
        last_seq=seq, last_message_at=sent_at, last_preview=preview, last_sender_name=sender_name))


async def mark_read(session: Session, conversation_id: UUID, account_id: UUID, seq: int) -> None:
    """Read up to `seq` for this account only (never backwards)."""
    r = conversation_reads
    await session.execute(insert(r).values(conversation_id=conversation_id, account_id=account_id, last_read_seq=seq)
                          .on_conflict_do_update(index_elements=["conversation_id", "account_id"],
                                                 set_={"last_read_seq": func.greatest(r.c.last_read_seq, seq),
                                                       "read_at": func.now()}))


async def read_up_to(session: Session, conversation_id: UUID, account_id: UUID) -> int:
    r = conversation_reads.c
    return await session.scalar(select(r.last_read_seq).where(r.conversation_id == conversation_id,
                                                              r.account_id == account_id)) or 0


def _unread_of(account_id: UUID) -> Any:
    """Per conversation: messages of others after what this account has read (a correlated count)."""
    c, m, r = conversations.c, messages.c, conversation_reads.c
    # Correlated explicitly: the inner subquery refers to the outer list's conversation, two levels up.
    read = select(r.last_read_seq).where(r.conversation_id == c.conversation_id,
                                         r.account_id == account_id).correlate(conversations).scalar_subquery()
    return select(func.count()).where(m.conversation_id == c.conversation_id,
                                      m.seq > func.coalesce(read, 0),
                                      m.sender_account_id != account_id).correlate(conversations).scalar_subquery()


def _unread_total(visible: ColumnElement[bool], account_id: UUID) -> Any:
    """Unread messages of others in every visible conversation (not only the page's)."""
    c, m, r = conversations.c, messages.c, conversation_reads.c
    return (select(func.count()).select_from(messages.join(conversations, c.conversation_id == m.conversation_id)
                                             .outerjoin(conversation_reads, and_(
                                                 r.conversation_id == m.conversation_id,
                                                 r.account_id == account_id)))
            .where(visible, m.seq > func.coalesce(r.last_read_seq, 0), m.sender_account_id != account_id))


async def list_page(session: Session, visible: ColumnElement[bool], account_id: UUID, *, before: int | None,
                    limit: int) -> list[Any]:
    """Up to `limit + 1` visible conversations, newest activity first, each with the account's unread count and
    (the same on every row, computed once) the unread total of all of them."""
    c = conversations.c
    # The list's own table appears in the total's subquery too: aliased there, so it is not correlated.
    total = _unread_total(visible, account_id).scalar_subquery().correlate(None)
    query = select(c.conversation_id, c.subject, c.child_id, c.group_id, c.family_id, c.broadcast_id, c.last_seq,
                   c.last_message_at, c.last_preview, c.last_sender_name, _unread_of(account_id).label("unread"),
                   total.label("unread_total"))
    query = query.where(visible, *([c.last_seq < before] if before is not None else []))
    return list((await session.execute(query.order_by(c.last_seq.desc()).limit(limit + 1))).all())


async def unread_total(session: Session, visible: ColumnElement[bool], account_id: UUID) -> int:
    return await session.scalar(_unread_total(visible, account_id)) or 0


async def messages_page(session: Session, conversation_id: UUID, *, before: int | None, limit: int) -> list[Any]:
    """Up to `limit + 1` messages before the cursor, newest first."""
    m = messages.c
    query = select(messages).where(m.conversation_id == conversation_id,
                                   *([m.seq < before] if before is not None else []))
    return list((await session.execute(query.order_by(m.seq.desc()).limit(limit + 1))).all())


async def message(session: Session, message_id: UUID) -> Any:
    return (await session.execute(select(messages).where(messages.c.message_id == message_id))).first()
