"""Follows identity's access events so that access tokens of ended sessions are refused at the edge.

Every gateway instance reads every partition of `identity.access.v1` itself (no consumer group: each
instance holds its own register). On start it reads the topic back over one access-token lifetime, so
a restart forgets no ended session whose tokens could still be valid; then it follows the log. A broker
outage is retried; meanwhile the register keeps what it had (identity still checks sessions on its own
routes).
"""

import asyncio
import contextlib
import json
import logging
import time
from datetime import datetime

from aiokafka import AIOKafkaConsumer
from konnect_contracts.events.access import TOPIC as ACCESS_TOPIC
from konnect_kit.kafka import KafkaConnection
from konnect_kit.topics import topic_name

from gateway.ended_sessions import EndedSessions

log = logging.getLogger(__name__)


class AccessFeed:
    def __init__(self, ended: EndedSessions, kafka: KafkaConnection, topic_prefix: str = "") -> None:
        self.ended = ended
        self.kafka = kafka
        self.topic = topic_name(ACCESS_TOPIC, topic_prefix)
        self.events_seen = 0
        self._tasks: list[asyncio.Task[None]] = []
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

    async def _run(self) -> None:
        """Keeps a consumer going; any failure starts it over after a pause."""
        while True:
            consumer = AIOKafkaConsumer(
                self.topic, **self.kafka.client_kwargs(), group_id=None, client_id="gateway-access-feed",
                auto_offset_reset="latest", enable_auto_commit=False, fetch_max_wait_ms=100,
                metadata_max_age_ms=30_000, request_timeout_ms=10_000,
            )
            try:
                await consumer.start()
                await self._rewind(consumer)
                self._failing = False
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
                    log.warning("access feed failed; retrying", exc_info=True)
                else:
                    log.debug("access feed still failing", extra={"error": repr(exc)})
                self._failing = True
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(Exception):
                    await consumer.stop()

    def _apply(self, raw: bytes) -> None:
        try:
            envelope = json.loads(raw)
        except ValueError:
            return
        if not isinstance(envelope, dict) or envelope.get("event_type") != "SessionsEnded":
            return
        payload = envelope.get("payload")
        with contextlib.suppress(KeyError, TypeError, ValueError):
            ended_at = datetime.fromisoformat(payload["ended_at"]).timestamp()  # type: ignore[index]
            self.ended.add([str(s) for s in payload["session_ids"]], ended_at)  # type: ignore[index]

    async def _rewind(self, consumer: AIOKafkaConsumer) -> None:
        """Read the access topic back over one access-token lifetime: sessions that ended while this
        instance was not running are refused too."""
        deadline = time.monotonic() + 10
        while not consumer.assignment():
            if time.monotonic() > deadline:
                return  # topic missing: followed from wherever it starts once it exists
            await asyncio.sleep(0.05)
        since_ms = int((time.time() - self.ended.token_lifetime) * 1000)
        found = await consumer.offsets_for_times({tp: since_ms for tp in consumer.assignment()})
        for tp in consumer.assignment():
            if found.get(tp) is not None:
                consumer.seek(tp, found[tp].offset)
