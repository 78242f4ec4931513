"""The in-app inbox table and its statements: add (or collapse into) an item, page, count and mark read.

Every item carries a sequence number from one database sequence: newest first, the pagination cursor and
the id of its live event (a collapsed item takes a new number, so it moves to the top and is sent again).
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from konnect_kit.db import Reader, ReadQuery, driver
from sqlalchemy import (
    ARRAY,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    Sequence,
    Table,
    Text,
    Uuid,
    and_,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.models import metadata, recipients
from notifications.domain.inbox import InboxEntry

inbox_seq = Sequence("inbox_seq", metadata=metadata)

inbox_items = Table(
    "inbox_items",
    metadata,
    Column("item_id", Uuid, primary_key=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("account_id", Uuid, nullable=False),
    Column("organisation_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),
    Column("subject_id", Uuid, nullable=False),
    Column("child_ids", ARRAY(Uuid), nullable=False),
    Column("params", JSONB, nullable=False),
    Column("link", Text, nullable=False),
    Column("count", Integer, nullable=False, server_default="1"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("read_at", DateTime(timezone=True)),
)
# The inbox page and the unread count read one account's items newest first.
Index("inbox_items_account_seq", inbox_items.c.account_id, inbox_items.c.seq.desc())
# At most one unread item per account and subject: the one a burst collapses into.
Index("inbox_items_unread_subject", inbox_items.c.account_id, inbox_items.c.kind, inbox_items.c.subject_id,
      unique=True, postgresql_where=text("read_at IS NULL"))


# Built per item on every inbox read: slotted, not frozen (a frozen dataclass's __init__ sets each field
# through object.__setattr__, ~5x the cost).
@dataclass(slots=True)
class InboxRow:
    item_id: UUID
    seq: int
    kind: str
    subject_id: UUID
    child_ids: tuple[UUID, ...]
    params: dict[str, Any]
    link: str
    count: int
    created_at: datetime
    read_at: datetime | None


async def add(session: AsyncSession, entry: InboxEntry, now: datetime) -> InboxRow | None:
    """Store the entry; a collapsing kind joins the account's unread item for the subject. None: a duplicate."""
    t = inbox_items
    # One writer per account at a time, so an account's sequence numbers commit in order and a live stream that
    # read up to N can never later see a smaller one appear (callers take accounts in a fixed order: no deadlock).
    connection = await driver(session)
    await connection.execute(_LOCK_ACCOUNT, str(entry.account_id))
    if entry.collapses:
        same = and_(t.c.account_id == entry.account_id, t.c.kind == entry.kind, t.c.subject_id == entry.subject_id)
        unread = (await session.execute(select(t.c.item_id, t.c.child_ids).where(same, t.c.read_at.is_(None))
                                        .with_for_update())).first()
        if unread is not None:
            merged = sorted(set(unread.child_ids) | set(entry.child_ids))
            bumped = (await session.execute(
                update(t).where(t.c.item_id == unread.item_id)
                .values(count=t.c.count + 1, seq=inbox_seq.next_value(), created_at=now, child_ids=merged,
                        params=entry.params)
                .returning(*t.c))).one()
            await changed(session, entry.account_id)
            return _row(bumped._mapping)
    # The new row, the duplicate check and the live streams' NOTIFY in one statement (`INSERT ... SELECT ... FROM
    # pg_notify(...)`): as four statements they were most of the round trips of a request-decision mail
    # (bench/request_saga). A NOTIFY for a dropped duplicate only makes a live stream look and find nothing.
    # Driver-level text, prepared once per connection: built as a SQLAlchemy clause per call it cost about a third
    # of the notifications handler's CPU for a decision mail (bench/PROFILE-read-paths.md, round 9); run on the unit
    # of work's own asyncpg connection (konnect_kit.db.driver), not through SQLAlchemy's execute (round 18).
    statement = _INSERT_AND_WAKE if entry.collapses else _INSERT_UNLESS_THERE_AND_WAKE
    inserted = await connection.fetchrow(
        statement, uuid4(), entry.account_id, entry.organisation_id, entry.kind, entry.subject_id,
        [UUID(str(child)) for child in entry.child_ids], json.dumps(entry.params), entry.link, now,
        str(entry.account_id))
    if inserted is None:
        return None
    columns = dict(inserted.items())
    columns["params"] = json.loads(columns["params"])  # sent back as text: no SQLAlchemy type reads it here
    return _row(columns)


# The live streams' PostgreSQL channel (notifications.live.CHANNEL): NOTIFY is delivered at commit, to every
# instance, so a stream on any instance hears of an item any instance's consumer stored.
LIVE_CHANNEL = "konnect_inbox"

_LOCK_ACCOUNT = "SELECT pg_advisory_xact_lock(hashtextextended($1::text, 0))"
_INSERT_TEMPLATE = (
    "INSERT INTO inbox_items (item_id, seq, account_id, organisation_id, kind, subject_id, child_ids, params, link, "
    "created_at) SELECT $1::uuid, nextval('inbox_seq'), $2::uuid, $3::uuid, $4::text, $5::uuid, $6::uuid[], "
    "$7::text::jsonb, $8::text, $9::timestamptz FROM pg_notify('{channel}', $10::text) {unless} "
    "RETURNING item_id, seq, kind, subject_id, child_ids, params::text AS params, link, count, created_at, read_at"
)
# A redelivered event's item (of a kind that does not collapse) is there already, read or not: drop it.
_INSERT_UNLESS_THERE_AND_WAKE = _INSERT_TEMPLATE.format(
    channel=LIVE_CHANNEL, unless="WHERE NOT EXISTS (SELECT 1 FROM inbox_items WHERE account_id = $2::uuid "
                                    "AND kind = $4::text AND subject_id = $5::uuid)")
_INSERT_AND_WAKE = _INSERT_TEMPLATE.format(channel=LIVE_CHANNEL, unless="")


async def changed(session: AsyncSession, account_id: UUID) -> None:
    await session.execute(text("SELECT pg_notify(:channel, :account)"),
                          {"channel": LIVE_CHANNEL, "account": str(account_id)})


async def last_seq(session: AsyncSession, account_id: UUID) -> int:
    return int(await session.scalar(select(func.coalesce(func.max(inbox_items.c.seq), 0))
                                    .where(inbox_items.c.account_id == account_id)) or 0)


def _row(row: Any) -> InboxRow:
    """A row read by key: a Reader's row and a Session row's `_mapping` both read that way."""
    return InboxRow(item_id=row["item_id"], seq=row["seq"], kind=row["kind"], subject_id=row["subject_id"],
                    child_ids=tuple(row["child_ids"]), params=row["params"], link=row["link"], count=row["count"],
                    created_at=row["created_at"], read_at=row["read_at"])


@dataclass(slots=True)
class InboxPageRows:
    rows: list[InboxRow]
    names: dict[UUID, str]  # first names of the rows' children we know (not deleted)
    unread: int
    language: str | None


# The inbox screen in one round trip, written once: the page, the children's first names, the unread count and
# the account's language. Built per call with the expression language, the four statements this replaces
# spent about a fifth of the service's CPU on building clauses (py-spy under bench/read_paths).
# Visible: items about no child, or about a child still in the account's family: a parent who lost access to a
# child (moved family, deleted) no longer sees what was about it. Accounts that are not parents see all their
# items. Every read of the inbox goes through this one rule. The family's children are found once per statement
# (by migration 0012's index) and each item's children compared with them (&&): a join per item cost two index
# lookups each, on the page and again in the unread count.
# The account as a subquery (konnect_kit.db.opaque): seen as a value, a quiet account's estimate made PostgreSQL
# plan the badge again on every read (test_notifications_inbox_plans.py).
_VISIBLE_ITEMS = """
    SELECT i.* FROM inbox_items i
    WHERE i.account_id = (SELECT CAST(:account_id AS uuid))
      AND (cardinality(i.child_ids) = 0
           OR NOT EXISTS (SELECT 1 FROM recipients r WHERE r.account_id = :account_id AND r.role = 'parent')
           OR i.child_ids && ARRAY(SELECT c.child_id FROM recipients r JOIN children c ON c.family_id = r.family_id
                                   WHERE r.account_id = :account_id AND r.role = 'parent' AND r.active
                                     AND NOT c.deleted))"""
_PAGE_STATEMENT = text(f"""
    WITH visible AS NOT MATERIALIZED ({_VISIBLE_ITEMS})
    SELECT h.unread, h.language, p.item_id, p.seq, p.kind, p.subject_id, p.child_ids, p.params, p.link, p.count,
           p.created_at, p.read_at, n.named_ids, n.names
    FROM (SELECT (SELECT count(*) FROM visible WHERE read_at IS NULL) AS unread,
                 (SELECT language FROM recipients WHERE account_id = :account_id LIMIT 1) AS language) h
    LEFT JOIN LATERAL (SELECT * FROM visible WHERE CAST(:before AS bigint) IS NULL OR seq < :before
                       ORDER BY seq DESC LIMIT :n) p ON true
    -- The first names of an item's children we know (not deleted), both lists in the children's order.
    LEFT JOIN LATERAL (SELECT array_agg(c.child_id ORDER BY c.child_id) AS named_ids,
                              array_agg(c.first_name ORDER BY c.child_id) AS names
                       FROM children c
                       WHERE c.child_id = ANY(p.child_ids) AND c.first_name IS NOT NULL AND NOT c.deleted) n ON true
    ORDER BY p.seq DESC""").columns(item_id=Uuid, subject_id=Uuid, child_ids=ARRAY(Uuid), named_ids=ARRAY(Uuid),
                                     params=JSONB)


_PAGE_READ = ReadQuery(_PAGE_STATEMENT)


async def page_with_counts(reader: Reader, account_id: UUID, *, before_seq: int | None,
                           limit: int) -> InboxPageRows:
    """`page` (newest first, below the cursor) with what the screen shows beside it, in one statement (on the
    lean read path: asyncpg's values as they come, UUIDs, lists and JSON already what `_row` expects)."""
    result = await reader.rows(_PAGE_READ, account_id=account_id, before=before_seq, n=limit)
    head = result[0]  # one row at least: the header joins the page with LEFT JOIN
    rows = [_row(r) for r in result if r["item_id"] is not None]
    names = {child: name for r in result if r["named_ids"]
             for child, name in zip(r["named_ids"], r["names"], strict=True)}
    return InboxPageRows(rows, names, int(head["unread"]), head["language"])


_UNREAD_STATEMENT = text(f"SELECT count(*) FROM ({_VISIBLE_ITEMS}) visible WHERE read_at IS NULL")
_NEWER_STATEMENT = text(f"SELECT * FROM ({_VISIBLE_ITEMS}) visible WHERE seq > :after ORDER BY seq LIMIT :n"
                        ).columns(item_id=Uuid, subject_id=Uuid, child_ids=ARRAY(Uuid), params=JSONB)
_VISIBLE_ITEM = text(f"SELECT item_id FROM ({_VISIBLE_ITEMS}) visible WHERE item_id = :item_id")


async def newer(session: AsyncSession, account_id: UUID, *, after_seq: int, limit: int) -> list[InboxRow]:
    """Everything after `after_seq` (a live event id), oldest first."""
    found = await session.execute(_NEWER_STATEMENT, {"account_id": account_id, "after": after_seq, "n": limit})
    return [_row(r._mapping) for r in found]


_UNREAD_READ = ReadQuery(_UNREAD_STATEMENT)


async def unread_count(session: AsyncSession, account_id: UUID) -> int:
    """The count after a change (mark read) or for a live stream, inside its unit of work."""
    return int(await session.scalar(_UNREAD_STATEMENT, {"account_id": account_id}) or 0)


async def badge(reader: Reader, account_id: UUID) -> int:
    """The badge: asked on every app start and after every read, so the same statement on the lean read path."""
    return int(await reader.value(_UNREAD_READ, account_id=account_id) or 0)


async def mark_read(session: AsyncSession, account_id: UUID, item_id: UUID, now: datetime) -> bool:
    """False when the account has no such (visible) item."""
    t = inbox_items
    found = await session.scalar(_VISIBLE_ITEM, {"account_id": account_id, "item_id": item_id})
    if found is None:
        return False
    result = await session.execute(update(t).where(t.c.item_id == item_id, t.c.read_at.is_(None))
                                   .values(read_at=now))
    if result.rowcount:  # type: ignore[attr-defined]
        await changed(session, account_id)  # the badge on the account's other devices
    return True


async def mark_all_read(session: AsyncSession, account_id: UUID, now: datetime) -> int:
    t = inbox_items
    result = await session.execute(update(t).where(t.c.account_id == account_id, t.c.read_at.is_(None))
                                   .values(read_at=now))
    if result.rowcount:  # type: ignore[attr-defined]
        await changed(session, account_id)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def language_of(session: AsyncSession, account_id: UUID) -> str | None:
    return await session.scalar(select(recipients.c.language).where(recipients.c.account_id == account_id).limit(1))
