"""Conversation and message queries: start, append (messages are only ever inserted), read state, list, pages."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from konnect_kit.db import Handle, Query, Reader, ReadQuery, Session, mappings
from sqlalchemy import (
    BigInteger,
    Integer,
    Uuid,
    and_,
    bindparam,
    cast,
    distinct,
    func,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by, insert

from messaging.db.directory_records import live_record
from messaging.db.models import (
    conversation_reads,
    conversations,
    directory_children,
    directory_groups,
    directory_placements,
    messages,
)
from messaging.db.participants import visible_clause


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


# The list and one conversation are the hot reads: one statement each, per role, built and compiled once. Bound
# values: `account_id`, `organisation_id` and `day` (who asks, see `participants.visible_clause`), the cursor
# `before` (none: from the newest) and `n` (how many rows at most).
_ROLES = ("parent", "staff", "admin")
_ACCOUNT = bindparam("account_id", type_=Uuid)
_BEFORE = func.coalesce(bindparam("before", type_=BigInteger), literal_column("9223372036854775807"))
_N = bindparam("n", type_=Integer)


def _unread_of(c: Any, table: Any) -> Any:
    """Per conversation: messages of others after what this account has read (a correlated count)."""
    m, r = messages.c, conversation_reads.c
    # Correlated explicitly: the inner subquery refers to the outer list's conversation, two levels up.
    read = select(r.last_read_seq).where(r.conversation_id == c.conversation_id,
                                         r.account_id == _ACCOUNT).correlate(table).scalar_subquery()
    return select(func.count()).where(m.conversation_id == c.conversation_id, m.seq > func.coalesce(read, 0),
                                      m.sender_account_id != _ACCOUNT).correlate(table).scalar_subquery()


def _unread_total(role: str) -> Any:
    """Unread messages of others in every visible conversation (not only the page's).

    A parent's: the sum of each of the family's conversations' `_unread_of`, so each count reads only the messages
    after what the account has read (an index range on `messages_conversation_seq`); one join over the family's
    messages read all of them on every list, and a family's list grew slower with its history
    (bench/PROFILE-read-paths.md, round 13). Staff's and administrators': one join over the visible conversations'
    messages; a count per conversation would be one subquery per conversation of the organisation (an
    administrator of 115,000 conversations: 1.1 s against 0.19 s).
    """
    counted = conversations.alias("counted")
    if role in ("parent", "staff"):
        return (select(cast(func.coalesce(func.sum(_unread_of(counted.c, counted)), 0), BigInteger))
                .where(visible_clause(role, counted.c)).scalar_subquery())
    c, m, r = counted.c, messages.c, conversation_reads.c
    return (select(func.count()).select_from(messages.join(counted, c.conversation_id == m.conversation_id)
                                             .outerjoin(conversation_reads, and_(
                                                 r.conversation_id == m.conversation_id, r.account_id == _ACCOUNT)))
            .where(visible_clause(role, c), m.seq > func.coalesce(r.last_read_seq, 0),
                   m.sender_account_id != _ACCOUNT).scalar_subquery())


def _list_statement(role: str) -> Any:
    """Up to `n` visible conversations below the cursor, newest activity first, each with the account's unread
    count, beside the unread total of all of them: one header row joined with the page (an empty page is the
    header alone), so the total needs no statement of its own."""
    if role == "parent":
        return _family_list_statement()
    listed = conversations.alias("listed")
    c = listed.c
    page = (select(c.conversation_id, c.subject, c.child_id, c.group_id, c.family_id, c.broadcast_id, c.last_seq,
                   c.last_message_at, c.last_preview, c.last_sender_name, _unread_of(c, listed).label("unread"))
            .where(visible_clause(role, c), c.last_seq < _BEFORE).order_by(c.last_seq.desc()).limit(_N)
            .lateral("page"))
    head = select(_unread_total(role).label("unread_total")).subquery("head")
    return (select(head.c.unread_total, *page.c).select_from(head.outerjoin(page, true()))
            .order_by(page.c.last_seq.desc()))


def _family_list_statement() -> Any:
    """A parent's `_list_statement`: the family's conversations, each with its unread count, found once (a CTE)
    and read twice, for the total and for the page.

    Why: a family has a handful of conversations, all of them counted for the total anyway; counting the page's
    again (a subplan per row, the family and its organisation looked up a second time) was ~25 us of
    PostgreSQL's ~170 us per list (bench/PROFILE-read-paths.md, round 22). Staff keep the general statement:
    theirs can be thousands of conversations, of which the page wants `n`.
    """
    listed = conversations.alias("listed")
    c = listed.c
    family = (select(c.conversation_id, c.subject, c.child_id, c.group_id, c.family_id, c.broadcast_id, c.last_seq,
                     c.last_message_at, c.last_preview, c.last_sender_name, _unread_of(c, listed).label("unread"))
              .where(visible_clause("parent", c)).cte("family_conversations"))
    f = family.c
    page = select(family).where(f.last_seq < _BEFORE).order_by(f.last_seq.desc()).limit(_N).lateral("page")
    head = select(cast(func.coalesce(func.sum(f.unread), 0), BigInteger).label("unread_total")).subquery("head")
    return (select(head.c.unread_total, *page.c).select_from(head.outerjoin(page, true()))
            .order_by(page.c.last_seq.desc()))


_LIST = {role: ReadQuery(_list_statement(role)) for role in _ROLES}


@dataclass(frozen=True)
class ListPage:
    rows: list[Any]  # up to `n` conversations, newest activity first
    unread_total: int


async def list_page(reader: Reader, role: str, *, account_id: UUID, organisation_id: UUID, day: date,
                    before: int | None, n: int) -> ListPage:
    found = await reader.rows(_LIST[role], account_id=account_id, organisation_id=organisation_id, day=day,
                              before=before, n=n)
    return ListPage([row for row in found if row.conversation_id is not None], found[0].unread_total)


_CONVERSATION = ("organisation_id", "family_id", "child_id", "group_id", "subject", "broadcast_id", "created_at",
                 "last_seq", "read_seq")


def _open_statement(role: str) -> Any:
    """One conversation the caller may read (no row otherwise) with `read_seq`, how far the account has read it,
    and up to `n` of its messages below the cursor, newest first, as two arrays: their `seqs` and their stored
    `answers` (MessageOut's JSON, migration 0006; NULL: none). Arrays, not a row per message: decoding 200 rows
    of the conversation's columns cost more than the messages themselves (411 against 276 us in-process for 200,
    PROFILE-read-paths.md round 16), and the page is spliced, not built."""
    c, m, r = conversations.c, messages.c, conversation_reads.c
    read = select(r.last_read_seq).where(r.conversation_id == c.conversation_id,
                                         r.account_id == _ACCOUNT).scalar_subquery()
    conversation = (select(c.conversation_id, c.organisation_id, c.family_id, c.child_id, c.group_id, c.subject,
                           c.broadcast_id, c.created_at, c.last_seq, func.coalesce(read, 0).label("read_seq"))
                    .where(c.conversation_id == bindparam("conversation_id", type_=Uuid), visible_clause(role))
                    .cte("conversation"))
    newest = (select(m.seq, m.answer)
              .where(m.conversation_id == conversation.c.conversation_id, m.seq < _BEFORE)
              .order_by(m.seq.desc()).limit(_N).correlate(conversation).lateral("newest"))
    page = (select(func.array_agg(aggregate_order_by(newest.c.seq, newest.c.seq.desc())).label("seqs"),
                   func.array_agg(aggregate_order_by(newest.c.answer, newest.c.seq.desc())).label("answers"))
            .select_from(newest).lateral("page"))
    return (select(*(conversation.c[name] for name in ("conversation_id", *_CONVERSATION)), page.c.seqs,
                   page.c.answers)
            .select_from(conversation.join(page, true())))


_OPEN = {role: Query(_open_statement(role)) for role in _ROLES}


@dataclass(frozen=True)
class OpenPage:
    conversation: dict[str, Any]  # with `last_seq` and `read_seq`
    seqs: list[int]  # up to `n` messages, newest first: their seq
    answers: list[str]  # and their MessageOut JSON, as stored


async def open_page(db: Handle, role: str, conversation_id: UUID, *, account_id: UUID,
                    organisation_id: UUID, day: date, before: int | None, n: int) -> OpenPage | None:
    """None: no such conversation, or the caller takes no part in it now. On the lean read path (a `Reader`) for
    the route that opens it; in a unit of work (a `Session`) for the answer to starting one, not committed yet."""
    values = {"account_id": account_id, "organisation_id": organisation_id, "day": day,
              "conversation_id": conversation_id, "before": before, "n": n}
    found = await mappings(db, _OPEN[role], **values)
    if not found:
        return None
    head = found[0]
    return OpenPage({"conversation_id": conversation_id, **{key: head[key] for key in _CONVERSATION}},
                    list(head["seqs"] or ()), list(head["answers"] or ()))


async def message(session: Session, message_id: UUID) -> Any:
    return (await session.execute(select(messages).where(messages.c.message_id == message_id))).first()
