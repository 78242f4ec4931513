"""Drains the due deliveries of one channel (e-mail, push): one transaction each, retries with backoff, 'failed'.

The row lock is held while the message goes out, so another instance (or lane) skips that row; committing per
delivery means a crash can at most resend the messages that were in flight. Channels differ only in how a
message is sent and which failures are final; `MailSender` and `PushSender` say that.
"""

import asyncio
import logging

from konnect_kit.db import Database
from konnect_kit.wakeup import Wakeup
from konnect_kit.worker import DrainingWorker
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.clock import Clock
from notifications.db.deliveries import DueDelivery, claim_next_due, mark_failed, mark_retry, mark_sent
from notifications.domain.delivery import RetryPolicy

log = logging.getLogger(__name__)


class QueueWorker(DrainingWorker):
    """Started and stopped with the app; several instances share the queue without sending anything twice."""

    channel: str  # deliveries.channel this worker drains
    wake_channel: str  # PostgreSQL NOTIFY channel the queueing transaction signals

    # Deliveries in flight at once, each in its own transaction and (mail) on its own connection. One at a time,
    # the second parent of a family waited for the whole of the first parent's SMTP session.
    lanes: int = 1

    def __init__(self, database: Database, policy: RetryPolicy, poll_seconds: float) -> None:
        super().__init__(poll_seconds=poll_seconds, wakeup=Wakeup(database.url, self.wake_channel))
        self.name = f"notifications-{self.channel}-sender"
        self.database = database
        self.policy = policy
        self.sent_total = 0
        self.clock: Clock | None = None  # set when the app has an injected clock (held pushes wait for it)
        self.failed_attempts_total = 0
        self.given_up_total = 0
        self._far_end_down = False
        self._lane_tasks: list[asyncio.Task[int]] = []

    # -- what a channel provides ------------------------------------------------------------------

    async def deliver(self, due: DueDelivery, lane: int = 0) -> None:
        """Send it; `lane` (0 <= lane < lanes) names the connection to use where a channel holds one per lane."""
        raise NotImplementedError

    def is_permanent(self, exc: BaseException) -> bool:
        """Retrying cannot help (the address or device is gone, the message is refused)."""
        return False

    def is_outage(self, exc: BaseException) -> bool:
        """The far end is unreachable: the next delivery in this pass would fail the same way."""
        return False

    def forget_connection(self, lane: int = 0) -> None:
        """After an error the lane's connection state is unknown (its next send reconnects)."""

    async def end_of_pass(self, lane: int = 0) -> None:
        """A lane's pass is over (its connection may stay open for the next pass, see `close_idle_connections`)."""

    async def close_idle_connections(self) -> None:
        """Before each pass: close connections left unused for too long."""

    async def close_connections(self) -> None:
        """On stop: close every connection still open."""

    async def after_final_failure(self, session: AsyncSession, due: DueDelivery, exc: BaseException) -> None:
        """In the failing delivery's transaction, e.g. forget a device token the push service disowned."""

    # -- one pass (start, stop and waiting are the kit's DrainingWorker) -----------------------

    async def stop(self) -> None:
        await super().stop()
        await self.close_connections()

    async def drain(self) -> int:
        """Send every delivery due now, up to `lanes` at a time; returns how many were attempted.

        A lane opens the next one only once it has claimed a delivery, so a quiet queue costs one empty claim per
        pass, not one per lane.
        """
        self._far_end_down = False
        await self.close_idle_connections()
        self._lane_tasks = [asyncio.create_task(self._drain_lane(0))]
        try:
            while not all(task.done() for task in self._lane_tasks):
                await asyncio.wait([task for task in self._lane_tasks if not task.done()])
        except asyncio.CancelledError:
            for task in self._lane_tasks:
                task.cancel()
            raise
        tasks, self._lane_tasks = self._lane_tasks, []
        # Raised only once every lane has finished: none is left running unseen into the next pass.
        failures = [failure for task in tasks if (failure := task.exception()) is not None]
        if failures:
            raise failures[0]
        return sum(task.result() for task in tasks)

    def _claimed(self) -> None:
        """A lane found work: there may be more, so open the next lane (up to `lanes`)."""
        if self._lane_tasks and len(self._lane_tasks) < self.lanes and not self.stopping:
            self._lane_tasks.append(asyncio.create_task(self._drain_lane(len(self._lane_tasks))))

    async def _drain_lane(self, lane: int) -> int:
        attempted = 0
        try:
            while not self.stopping and not self._far_end_down:
                outcome = await self._attempt_next(lane)
                if outcome is None:
                    break
                attempted += 1
                if not outcome:
                    # The far end is down: every lane leaves the rest for the next pass instead of hammering it.
                    self._far_end_down = True
        finally:
            await self.end_of_pass(lane)
        return attempted

    async def _attempt_next(self, lane: int = 0) -> bool | None:
        """None: nothing due. True: go on with the next one. False: the far end is down, stop this pass."""
        async with self.database.transaction() as session:
            due = await claim_next_due(session, self.channel, self.clock.now() if self.clock else None)
            if due is None:
                return None
            self._claimed()
            try:
                await self.deliver(due, lane)
            except Exception as exc:  # any failure must count an attempt, or the row would loop hot
                self.forget_connection(lane)
                self.failed_attempts_total += 1
                await self._record_failure(session, due, exc)
                return not self.is_outage(exc)
            else:
                await mark_sent(session, due.delivery_id)
                self.sent_total += 1
                log.info("delivery sent", extra={"channel": self.channel, "delivery_id": str(due.delivery_id),
                                                 "attempt": due.attempts + 1})
        return True

    async def _record_failure(self, session: AsyncSession, due: DueDelivery, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"[:1000]
        failed_attempts = due.attempts + 1
        delay = None if self.is_permanent(exc) else self.policy.delay_after(failed_attempts)
        context = {"channel": self.channel, "delivery_id": str(due.delivery_id), "error": error}
        if delay is None:
            await mark_failed(session, due.delivery_id, error=error)
            self.given_up_total += 1
            await self.after_final_failure(session, due, exc)
            log.error("delivery failed for good", extra={**context, "attempts": failed_attempts})
        else:
            await mark_retry(session, due.delivery_id, error=error, delay_seconds=delay)
            log.warning("delivery failed, will retry",
                        extra={**context, "attempt": failed_attempts, "retry_in_seconds": delay})
