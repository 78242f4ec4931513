"""Sessions identity reported as ended, so the gateway refuses their access tokens on every route at once.

An access token stays a valid JWT until it expires (15 minutes); without this, a logged-out token would
still work on services that do not look up sessions themselves. Only sessions ended within the token
lifetime matter, so the register is small and the event feed rebuilds it from the log on start.
"""

import asyncio
import time
from collections.abc import Callable, Iterable


class EndedSessions:
    def __init__(self, token_lifetime_seconds: float, clock: Callable[[], float] = time.time) -> None:
        self.token_lifetime = token_lifetime_seconds
        self.clock = clock
        self._until: dict[str, float] = {}  # session id → when its last access token has expired anyway
        self._watchers: dict[str, set[asyncio.Event]] = {}  # open event streams per session (gateway.streaming)

    def watch(self, session_id: str) -> asyncio.Event:
        """Set when the session ends (at once if it has)."""
        ended = asyncio.Event()
        if session_id in self._until:
            ended.set()
        self._watchers.setdefault(session_id, set()).add(ended)
        return ended

    def unwatch(self, session_id: str, ended: asyncio.Event) -> None:
        watchers = self._watchers.get(session_id)
        if watchers is not None:
            watchers.discard(ended)
            if not watchers:
                del self._watchers[session_id]

    def add(self, session_ids: Iterable[str], ended_at: float) -> None:
        session_ids = list(session_ids)
        for session_id in session_ids:  # streams close even when every token has expired already
            for ended in self._watchers.get(session_id, ()):
                ended.set()
        forget_after = ended_at + self.token_lifetime
        if forget_after <= self.clock():
            return  # every token of these sessions has expired already
        for session_id in session_ids:
            self._until[session_id] = max(forget_after, self._until.get(session_id, 0.0))
        if len(self._until) > 10_000:
            self.prune()

    def prune(self) -> None:
        now = self.clock()
        self._until = {s: until for s, until in self._until.items() if until > now}

    def __contains__(self, session_id: object) -> bool:
        return session_id in self._until

    def __len__(self) -> int:
        return len(self._until)
