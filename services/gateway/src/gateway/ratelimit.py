"""Per-route rate limits at the edge (sliding window per client address), kept in this gateway's memory.

With N gateway instances each keeps its own window, so the effective limit is N times the setting; the
identity service's failed-login backoff (per address, per e-mail and address, ...) stands behind it.

The client address is the TCP peer. X-Forwarded-For is believed only from the proxies named in
GATEWAY_TRUSTED_PROXIES (nobody by default), or every request could claim a new address.
"""

import math
import time
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, field

from fastapi import Request
from konnect_kit.errors import ApiError


@dataclass
class SlidingWindow:
    limit: int
    seconds: float
    hits: dict[str, deque[float]] = field(default_factory=dict)

    def hit(self, key: str, now: float) -> float | None:
        """Records a hit; returns seconds to wait when over the limit (the hit is then not counted)."""
        window = self.hits.setdefault(key, deque())
        while window and now - window[0] >= self.seconds:
            window.popleft()
        if len(window) >= self.limit:
            return self.seconds - (now - window[0])
        window.append(now)
        if len(self.hits) > 100_000:  # bound memory under an address-spraying attack
            self.hits = {k: v for k, v in self.hits.items() if v and now - v[-1] < self.seconds}
        return None


class RateLimit:
    """One rate class of the route table (`limit=login`), counted per client address.

    The windows belong to the app (one gateway), passed in: two gateway apps in one process (tests) must not
    share their counts.
    """

    def __init__(self, name: str, limit: int, seconds: float) -> None:
        self.name, self.limit, self.seconds = name, limit, seconds

    def check(self, windows: dict[str, SlidingWindow], address: str) -> None:
        """Counts a hit; ApiError 429 (with the seconds to wait) when over the limit."""
        window = windows.get(self.name)
        if window is None:
            window = windows[self.name] = SlidingWindow(self.limit, self.seconds)
        wait = window.hit(address, time.monotonic())
        if wait is not None:
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, "too_many_requests", "Too many requests. Try again later.",
                           {"retry_after_seconds": seconds})


def client_address(request: Request) -> str:
    """The caller's address as `address_of` finds it, for a Starlette request."""
    return address_of(request.client.host if request.client else None, request.headers.get("x-forwarded-for"),
                      request.app.state.settings.trusted_proxies)


def address_of(peer: str | None, forwarded: str | None, trusted: Collection[str]) -> str:
    """The caller's address: the peer, or, when the peer is a trusted proxy, the right-most X-Forwarded-For hop
    that is not itself a trusted proxy (hops further left were written by the client and prove nothing)."""
    peer = peer or "unknown"
    if not forwarded or peer not in trusted:
        return peer
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop[:64]
    return peer
