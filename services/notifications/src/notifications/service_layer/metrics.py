"""Operator metrics of the mail and push queue (Prometheus text): backlog, held, lag, sent and failed per channel."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from konnect_kit.db import Session

from notifications.db.queue_stats import ChannelQueue, queue_by_channel
from notifications.db.suppressions import suppressed_count

CHANNELS = ("email", "push")


@dataclass(frozen=True)
class SenderCounts:
    """One sender's counters since this instance started (per instance: Prometheus sums them)."""

    channel: str
    sent: int
    failed_attempts: int
    given_up: int


async def render(session: Session, now: datetime, senders: Iterable[SenderCounts]) -> str:
    queues = await queue_by_channel(session, now)
    suppressed = await suppressed_count(session)
    counts = {s.channel: s for s in senders}
    lines: list[str] = []

    def metric(name: str, kind: str, help_text: str, values: dict[str, float]) -> None:
        lines.extend([f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"])
        lines.extend(f'{name}{{channel="{channel}"}} {value:g}' for channel, value in values.items())

    queue = {c: queues.get(c, ChannelQueue(c, 0, 0, 0.0)) for c in CHANNELS}
    metric("notifications_queue_backlog", "gauge", "Deliveries due now and not yet sent.",
           {c: q.due for c, q in queue.items()})
    metric("notifications_queue_held", "gauge",
           "Deliveries waiting for a later time (retry backoff, push burst window, quiet hours).",
           {c: q.held for c, q in queue.items()})
    metric("notifications_queue_lag_seconds", "gauge", "Age of the oldest due delivery (0 when none is due).",
           {c: q.lag_seconds for c, q in queue.items()})
    metric("notifications_deliveries_sent_total", "counter", "Deliveries sent by this instance.",
           {c: counts[c].sent if c in counts else 0 for c in CHANNELS})
    metric("notifications_delivery_attempts_failed_total", "counter",
           "Failed send attempts by this instance (retried later unless given up).",
           {c: counts[c].failed_attempts if c in counts else 0 for c in CHANNELS})
    metric("notifications_deliveries_failed_total", "counter", "Deliveries this instance gave up on.",
           {c: counts[c].given_up if c in counts else 0 for c in CHANNELS})
    lines += ["# HELP notifications_email_suppressed_addresses Addresses no longer mailed (bounce, refusal, "
              "complaint).", "# TYPE notifications_email_suppressed_addresses gauge",
              f"notifications_email_suppressed_addresses {suppressed}"]
    return "\n".join(lines) + "\n"
