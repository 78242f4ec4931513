"""Follows identity's directory and access events: in-memory answers never outlive a change, and access
tokens of ended sessions are refused at the edge.

Every gateway instance reads every partition itself (no consumer group: each instance holds its own
memory) from the end of the log, and confirms at a steady beat that it has caught up with what the
log held at the previous beat. Only while that holds does the cache serve (`ProfileCache.fresh_until`);
a broker outage or a lag longer than `max_staleness` empties the cache and sends every call to identity.
"""

import asyncio
import contextlib
import logging
import time
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from konnect_contracts.events.access import TOPIC as ACCESS_TOPIC
from konnect_contracts.events.directory import TOPIC as DIRECTORY_TOPIC
from konnect_kit.kafka import KafkaConnection

from gateway.ended_sessions import EndedSessions
from gateway.profile_cache import ProfileCache, ids_of_envelope, ids_of_event, parse_envelope

log = logging.getLogger(__name__)

TOPICS = (DIRECTORY_TOPIC, ACCESS_TOPIC)


class AccessFeed:
    def __init__(self, cache: ProfileCache, ended: EndedSessions, kafka: KafkaConnection, *, check_seconds: float,
                 max_staleness: float) -> None:
        self.cache = cache
        self.ended = ended
        self.kafka = kafka
        self.check_seconds = check_seconds
        self.max_staleness = max_staleness
        self.events_seen = 0
        self._consumer: AIOKafkaConsumer | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._ends_at_last_beat: dict[TopicPartition, int] | None = None
        self._failing = False

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._run(), name="access-feed")]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self.cache.fresh_until = 0.0
        self.cache.clear()

    async def _run(self) -> None:
        """Keeps a consumer going; any failure empties the cache and starts over after a pause."""
        while True:
            consumer = AIOKafkaConsumer(
                *TOPICS, **self.kafka.client_kwargs(), group_id=None, client_id="gateway-access-feed",
                auto_offset_reset="latest", enable_auto_commit=False, fetch_max_wait_ms=100,
                metadata_max_age_ms=30_000, request_timeout_ms=10_000,
            )
            self._consumer = consumer
            self._ends_at_last_beat = None
            beat: asyncio.Task[None] | None = None
            try:
                await consumer.start()
                await self._rewind_access_events(consumer)
                self._failing = False
                beat = asyncio.create_task(self._beat(consumer), name="access-feed-beat")
                while True:
                    batches = await consumer.getmany(timeout_ms=500, max_records=1000)
                    for records in batches.values():
                        for record in records:
                            self.events_seen += 1
                            if record.value:
                                self._apply(record.value)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # Once per outage with the details; Kafka being down is also visible in every other service.
                if not self._failing:
                    log.warning("access feed failed; answering /me from identity until it is back", exc_info=True)
                else:
                    log.debug("access feed still failing", extra={"error": repr(exc)})
                self._failing = True
                self.cache.fresh_until = 0.0
                self.cache.clear()
                await asyncio.sleep(1.0)
            finally:
                if beat is not None:
                    beat.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await beat
                with contextlib.suppress(Exception):
                    await consumer.stop()

    def _apply(self, raw: bytes) -> None:
        envelope = parse_envelope(raw)
        if envelope is None:
            self.cache.invalidate(ids_of_event(raw))
            return
        if envelope.get("event_type") == "SessionsEnded":
            payload = envelope["payload"]
            with contextlib.suppress(KeyError, TypeError, ValueError):
                ended_at = datetime.fromisoformat(payload["ended_at"]).timestamp()
                self.ended.add([str(s) for s in payload["session_ids"]], ended_at)
        self.cache.invalidate(ids_of_envelope(envelope))

    async def _rewind_access_events(self, consumer: AIOKafkaConsumer) -> None:
        """Read the access topic back over one access-token lifetime: sessions that ended while this
        instance was not running are refused too (the directory topic starts at its end: memory is empty)."""
        deadline = time.monotonic() + 10
        while {tp.topic for tp in consumer.assignment()} != set(TOPICS):
            if time.monotonic() > deadline:
                return  # topics missing: the beat will not confirm, and nothing is served from memory
            await asyncio.sleep(0.05)
        since_ms = int((time.time() - self.ended.token_lifetime) * 1000)
        access = [tp for tp in consumer.assignment() if tp.topic == ACCESS_TOPIC]
        found = await consumer.offsets_for_times({tp: since_ms for tp in access})
        for tp in access:
            if found.get(tp) is not None:
                consumer.seek(tp, found[tp].offset)

    async def _beat(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            confirmed = False
            with contextlib.suppress(Exception):  # a broker we cannot reach confirms nothing
                confirmed = await asyncio.wait_for(self._caught_up(consumer), timeout=self.max_staleness)
            now = time.monotonic()
            was_current = now <= self.cache.fresh_until
            if confirmed:
                if not was_current:
                    log.info("access feed is current: answering GET /me from memory")
                self.cache.fresh_until = now + self.max_staleness
            elif not was_current and (len(self.cache) or self.cache.fresh_until):
                # Unconfirmed for too long: the log may hold changes we have not applied.
                log.warning("access feed is behind or unreachable: every GET /me goes to identity",
                            extra={"dropped_answers": len(self.cache)})
                self.cache.fresh_until = 0.0
                self.cache.clear()
            await asyncio.sleep(self.check_seconds)

    async def _caught_up(self, consumer: AIOKafkaConsumer) -> bool:
        """Whether we have read everything the log held at the previous beat (and remember the log's end now)."""
        partitions = consumer.assignment()
        if not partitions or {tp.topic for tp in partitions} != set(TOPICS):
            return False
        ends = await consumer.end_offsets(list(partitions))
        positions = {tp: await consumer.position(tp) for tp in partitions}
        previous, self._ends_at_last_beat = self._ends_at_last_beat, ends
        if previous is None:
            return False
        return all(positions[tp] >= previous.get(tp, 0) for tp in partitions)
