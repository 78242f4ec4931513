"""Delivery rules: stable delivery ids and the retry schedule of the mail queue (pure, no I/O)."""

from dataclasses import dataclass
from uuid import UUID, uuid5

# Fixed namespace: the same (event, channel, recipient) always yields the same delivery id, so the
# Message-ID derived from it is stable too and a receiving server can spot a resend after a crash.
_DELIVERY_NAMESPACE = UUID("6f1d9a0e-3c57-4a8e-9b2f-7d4c1e8a5b60")


def delivery_id_for(event_id: UUID, channel: str, recipient: str) -> UUID:
    return uuid5(_DELIVERY_NAMESPACE, f"{event_id}/{channel}/{recipient}")


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff, capped, with a bounded number of attempts."""

    max_attempts: int
    initial_seconds: float
    max_seconds: float

    def delay_after(self, failed_attempts: int) -> float | None:
        """Seconds to wait after the `failed_attempts`-th failure (1-based); None: give up, mark failed."""
        if failed_attempts >= self.max_attempts:
            return None
        return min(self.initial_seconds * 2 ** (failed_attempts - 1), self.max_seconds)

    def schedule(self) -> list[float]:
        """Every wait between the first and the last attempt (for docs and tests)."""
        delays = [self.delay_after(n) for n in range(1, self.max_attempts)]
        return [d for d in delays if d is not None]
