"""A person's own inbox: pages newest first, the unread count for the badge, mark one or all read."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from konnect_kit.db import Reader, Session
from konnect_kit.domain_errors import Invalid, NotFound

from notifications.db import inbox as store
from notifications.db.inbox import InboxRow
from notifications.db.read_models import child_names
from notifications.domain.inbox import inbox_text

MAX_PAGE = 100


# Built per item on every inbox read: slotted, not frozen (a frozen dataclass's __init__ sets each field
# through object.__setattr__, ~5x the cost).
@dataclass(slots=True)
class InboxItemView:
    item_id: UUID
    seq: int
    kind: str
    text: str
    link: str
    count: int
    child_ids: tuple[UUID, ...]
    created_at: datetime
    read: bool


@dataclass(slots=True)
class InboxPage:
    items: list[InboxItemView]
    next_cursor: str | None
    unread: int


def parse_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not cursor.isdigit() or len(cursor) > 18:
        raise Invalid("invalid_cursor", "The cursor is not one this inbox gave out.")
    return int(cursor)


async def views(session: Session, account_id: UUID, rows: list[InboxRow]) -> list[InboxItemView]:
    """Rows with their text in the account's language and its children's current first names."""
    language = await store.language_of(session, account_id)
    names = await child_names(session, (child for row in rows for child in row.child_ids))
    return shown(rows, names, language)


def shown(rows: list[InboxRow], names: dict[UUID, str], language: str | None) -> list[InboxItemView]:
    return [InboxItemView(item_id=row.item_id, seq=row.seq, kind=row.kind, link=row.link, count=row.count,
                          child_ids=row.child_ids, created_at=row.created_at, read=row.read_at is not None,
                          text=inbox_text(row.kind, row.params, row.count,
                                          [names[c] for c in row.child_ids if c in names], language))
            for row in rows]


async def inbox_page(reader: Reader, account_id: UUID, *, cursor: str | None, limit: int) -> InboxPage:
    before = parse_cursor(cursor)
    found = await store.page_with_counts(reader, account_id, before_seq=before, limit=limit + 1)
    more = len(found.rows) > limit
    rows = found.rows[:limit]
    return InboxPage(items=shown(rows, found.names, found.language),
                     next_cursor=str(rows[-1].seq) if more and rows else None, unread=found.unread)


async def newer_than(session: Session, account_id: UUID, seq: int, limit: int = MAX_PAGE
                     ) -> list[InboxItemView]:
    """Items after a live event id, oldest first (what a reconnecting stream missed)."""
    return await views(session, account_id, await store.newer(session, account_id, after_seq=seq, limit=limit))


async def unread(reader: Reader, account_id: UUID) -> int:
    return await store.badge(reader, account_id)


async def mark_read(session: Session, account_id: UUID, item_id: UUID, now: datetime) -> int:
    if not await store.mark_read(session, account_id, item_id, now):
        raise NotFound("not_found", "No such inbox item.")
    return await store.unread_count(session, account_id)


async def mark_all_read(session: Session, account_id: UUID, now: datetime) -> int:
    await store.mark_all_read(session, account_id, now)
    return 0


async def catch_up(session: Session, account_id: UUID, after: int | None
                   ) -> tuple[list[InboxItemView], int, int]:
    """For a live stream: (items after `after`, oldest first; the unread count; the id to go on from).
    Without `after` (a first connection) nothing old is replayed: the client has just loaded its page."""
    if after is None:
        return [], await store.unread_count(session, account_id), await store.last_seq(session, account_id)
    items = await newer_than(session, account_id, after)
    return items, await store.unread_count(session, account_id), items[-1].seq if items else after


def parse_event_id(value: str | None) -> int | None:
    """A Last-Event-ID this service gave out (a sequence number); anything else counts as none."""
    return int(value) if value and value.isdigit() and len(value) <= 18 else None
