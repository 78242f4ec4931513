"""In-memory answers of `GET /me` per session, dropped by the events that could change them.

`/me` is what every app calls on every start and screen refresh; answering it from memory keeps
identity and its database free for real work. Safety comes first:

- An entry exists only because identity answered 200 for that very session, and it is dropped when
  an event names the session, the account or any id in the answer (family, child, group, location,
  mentor, organisation): a logout, a moved child or a renamed group shows at the next call.
- Answers are used only while the event feed is confirmed current (`fresh_until`); when it falls
  behind or Kafka is unreachable, everything is dropped and every call goes to identity again.
- A fill that overlaps any invalidation is not stored (`generation`), so an answer read before a
  change can never outlive the change's event.
- Entries also expire after `ttl` (the answer depends on the date: an ended placement drops out).
"""

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def ids_in(raw: bytes) -> set[str]:
    """Every UUID in a JSON text: what an answer shows or an event is about (new fields included)."""
    return {match.decode() for match in _UUID.findall(raw.lower())}


def parse_envelope(raw: bytes) -> dict[str, Any] | None:
    """The event envelope as JSON, or None when the message is not one we can read."""
    try:
        envelope = json.loads(raw)
    except ValueError:
        return None
    return envelope if isinstance(envelope, dict) and isinstance(envelope.get("payload"), dict) else None


def ids_of_event(raw: bytes) -> set[str]:
    """The ids an event is about (see `ids_of_envelope`); an unreadable message counts every UUID in it,
    dropping too much rather than missing a change."""
    envelope = parse_envelope(raw)
    return ids_of_envelope(envelope) if envelope is not None else ids_in(raw)


def ids_of_envelope(envelope: dict[str, Any]) -> set[str]:
    """Of a `parse_envelope` result: every UUID in the event's payload except the organisation it belongs to.

    Every directory event names its organisation, and every `/me` answer shows it: counting it would
    drop a whole organisation's answers on each ERP sync. Only a change of the organisation itself does.
    """
    payload = envelope["payload"]
    about_organisation = envelope.get("event_type") == "OrganisationUpserted"
    found: set[str] = set()
    pending: list[tuple[str, Any]] = [("", payload)]
    while pending:
        key, value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.items())
        elif isinstance(value, list):
            pending.extend((key, item) for item in value)
        elif isinstance(value, str) and (key != "organisation_id" or about_organisation):
            found |= ids_in(value.encode())
    return found


@dataclass(frozen=True)
class Entry:
    account_id: str
    body: bytes
    content_type: bytes
    expires_at: float
    ids: frozenset[str]


class ProfileCache:
    def __init__(self, *, ttl: float, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self.generation = 0
        # Set by the event feed: answers are served only until then (0: never confirmed, serve nothing).
        self.fresh_until = 0.0
        self._entries: dict[str, Entry] = {}  # session id → entry, oldest first
        self._by_id: dict[str, set[str]] = {}  # id shown or owned → session ids
        # id → generation of its last invalidation, so a fill is refused only for a change that concerns
        # it; forgotten wholesale when large (then fills started before `_floor` are refused instead).
        self._changed_at: dict[str, int] = {}
        self._floor = 0
        self.hits = 0  # answered from memory (for operators and tests)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, session_id: str, account_id: str) -> Entry | None:
        entry = self._entries.get(session_id)
        if entry is None:
            return None
        now = self.clock()
        if now > self.fresh_until or now > entry.expires_at or entry.account_id != account_id:
            return None
        self.hits += 1
        return entry

    def begin_fill(self) -> int:
        """Call before asking identity; pass the result to `store`."""
        return self.generation

    def store(self, started_at: int, session_id: str, account_id: str, body: bytes, content_type: str) -> bool:
        ids = frozenset(ids_in(body) | {session_id, account_id})
        if self.clock() > self.fresh_until or started_at < self._floor or any(
                self._changed_at.get(value, -1) > started_at for value in ids):
            return False  # a change concerning this answer (or doubt about the feed) while identity answered
        self._drop(session_id)
        while len(self._entries) >= self.max_entries:
            self._drop(next(iter(self._entries)))
        self._entries[session_id] = Entry(account_id, body, content_type.encode("latin-1"),
                                          self.clock() + self.ttl, ids)
        for value in ids:
            self._by_id.setdefault(value, set()).add(session_id)
        return True

    def invalidate(self, ids: set[str]) -> int:
        """Drop every entry that shows or belongs to one of `ids`; returns how many were dropped."""
        self.generation += 1
        if len(self._changed_at) > 100_000:
            self._changed_at.clear()
            self._floor = self.generation
        for value in ids:
            self._changed_at[value] = self.generation
        sessions = set().union(*(self._by_id.get(value, ()) for value in ids)) if ids else set()
        for session_id in sessions:
            self._drop(session_id)
        return len(sessions)

    def clear(self) -> None:
        self.generation += 1
        self._floor = self.generation
        self._changed_at.clear()
        self._entries.clear()
        self._by_id.clear()

    def _drop(self, session_id: str) -> None:
        entry = self._entries.pop(session_id, None)
        if entry is None:
            return
        for value in entry.ids:
            holders = self._by_id.get(value)
            if holders is not None:
                holders.discard(session_id)
                if not holders:
                    del self._by_id[value]
