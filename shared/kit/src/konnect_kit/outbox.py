"""Transactional outbox: events are written with the state change and a relay publishes them to Kafka.

Rows name catalogue topics (the payload's contract says which); the relay adds the deployment's topic prefix
when it sends (`konnect_kit.topics.topic_name`), so code that publishes never handles a Kafka name.
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import Sequence
from uuid import UUID, uuid5

import asyncpg
from aiokafka import AIOKafkaProducer
from konnect_contracts.envelope import Envelope, EventPayload, kafka_headers
from sqlalchemy.ext.asyncio import AsyncSession

from konnect_kit.correlation import causation_id_var, current_correlation_id
from konnect_kit.db import Database, asyncpg_dsn, driver
from konnect_kit.kafka import KafkaConnection, make_producer
from konnect_kit.schema import outbox
from konnect_kit.topics import topic_name
from konnect_kit.wakeup import Wakeup

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "kit_outbox"
# One relay per service database publishes at a time, so per-key order survives N instances (a session lock).
RELAY_LOCK_KEY = 0x6B6F6E6E656374  # "konnect"
# A leader's statement that hangs (the database unreachable without an error) fails after this, and the relay steps
# down and retries, instead of holding the lock while publishing nothing.
STATEMENT_TIMEOUT_SECONDS = 30.0


class Outbox:
    """Writes events in the caller's transaction; they reach Kafka only if that transaction commits."""

    def __init__(self, producer_name: str) -> None:
        self.producer_name = producer_name

    async def publish(
        self,
        session: AsyncSession,
        payload: EventPayload,
        *,
        organisation_id: UUID | None = None,
        copies: Sequence[tuple[str, str]] = (),
    ) -> Envelope:
        """Write `payload` to the topic its contract names (`payload.TOPIC`), keyed by its partition key; and an
        unchanged copy (same event id, so receivers deduplicate) to each (topic, key) of `copies`: catalogue names
        that are not the event's own (e.g. an ERP client's `erp.<client>.requests.v1`). One statement for all."""
        envelope = Envelope.wrap(
            payload,
            producer=self.producer_name,
            correlation_id=current_correlation_id(),
            causation_id=causation_id_var.get(),
            organisation_id=organisation_id,
        )
        value = envelope.to_bytes()
        headers = json.dumps([[k, v.decode()] for k, v in kafka_headers(envelope)])
        # A copy's row needs an id of its own (the event is in this outbox already); its bytes keep the event's id.
        event_ids = [envelope.event_id, *(uuid5(envelope.event_id, topic) for topic, _ in copies)]
        topics = [payload.TOPIC, *(topic for topic, _ in copies)]
        keys = [payload.partition_key(), *(key for _, key in copies)]
        await (await driver(session)).execute(_INSERT_AND_WAKE, event_ids, envelope.event_type, topics, keys, value,
                                              headers)
        return envelope


# The event and its copies (in order: `id` follows ORDINALITY) and the relay's wake-up in one driver-level
# statement. The NOTIFY is delivered at commit, like the rows, and wakes the relay then instead of at its next poll.
# As a statement of its own it cost every publish one more round trip (bench/request_saga), and so did each ERP
# copy. Built as a SQLAlchemy clause (a SELECT of literals per row, UNION ALL), creating and compiling it cost about
# a quarter of planning's CPU for a request's POST; this text is prepared once per connection, and runs on the unit
# of work's own asyncpg connection (konnect_kit.db.driver).
_INSERT_AND_WAKE = (
    f"INSERT INTO {outbox.name} (event_id, event_type, topic, key, value, headers) "
    "SELECT e.event_id, $2::text, e.topic, e.key, $5::bytea, $6::text::jsonb "
    "FROM unnest($1::uuid[], $3::text[], $4::text[]) WITH ORDINALITY AS e(event_id, topic, key, n), "
    f"pg_notify('{NOTIFY_CHANNEL}', '') ORDER BY e.n"
)


class OutboxRelay:
    """Background task: publishes unpublished outbox rows in id order, marks them, never loses one."""

    def __init__(
        self,
        database: Database,
        kafka: KafkaConnection,
        *,
        client_id: str,
        topic_prefix: str = "",
        poll_seconds: float = 1.0,
        batch_size: int = 500,
    ) -> None:
        self.database = database
        self.topic_prefix = topic_prefix
        self.kafka = kafka
        self.client_id = client_id
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self._producer: AIOKafkaProducer | None = None
        self._connection: asyncpg.Connection | None = None  # the relay's own (see _leading_connection)
        self._leads = False
        self._wake = Wakeup(database.url, NOTIFY_CHANNEL)
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.published_total = 0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._task:
            await self._task
        await self._close_producer()
        await self._step_down()
        await self._wake.close()

    async def _run(self) -> None:
        backoff = 0.2
        while not self._stopping.is_set():
            # Cleared before the scan: a NOTIFY that lands during it triggers one more scan.
            self._wake.clear()
            try:
                published = await self.publish_pending()
                backoff = 0.2
            except Exception as exc:  # Kafka or the database is away: keep rows, retry later.
                log.warning("outbox relay could not publish, will retry", extra={"error": repr(exc)})
                await self._close_producer()
                await self._step_down()
                await self._sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            if published < self.batch_size:
                await self._sleep(self.poll_seconds)

    async def publish_pending(self) -> int:
        """Publish one batch; returns how many rows were published (0 if another relay leads)."""
        producer = await self._producer_started()
        connection = await self._leading_connection()
        if connection is None:
            return 0
        rows = await connection.fetch(
            "SELECT id, topic, key, value, headers FROM kit_outbox WHERE published_at IS NULL ORDER BY id LIMIT $1",
            self.batch_size)
        if not rows:
            return 0
        futures = [
            await producer.send(
                topic_name(row["topic"], self.topic_prefix),
                value=row["value"],
                key=row["key"].encode(),
                headers=[(k, v.encode()) for k, v in json.loads(row["headers"])],
            )
            for row in rows
        ]
        # Mark sent only once the broker acknowledged every record (acks=all).
        await asyncio.gather(*futures)
        await connection.execute("UPDATE kit_outbox SET published_at = now() WHERE id = ANY($1::bigint[])",
                                 [row["id"] for row in rows])
        self.published_total += len(rows)
        return len(rows)

    async def _leading_connection(self) -> asyncpg.Connection | None:
        """The relay's own connection while it holds the publishing lock, else None (another instance leads).

        One relay per service database publishes, so per-key order survives N instances. The lock is a session
        lock, taken once and kept while the connection lives (a crashed relay's connection ends and frees it): a
        pass is then one statement before the send and one after it. Taking a transaction lock on every pass
        cost three more round trips (BEGIN, the lock, COMMIT), two of them before the event left.
        """
        connection = self._connection
        if connection is None or connection.is_closed():
            self._leads = False
            connection = self._connection = await asyncpg.connect(
                asyncpg_dsn(self.database.url), timeout=5, command_timeout=STATEMENT_TIMEOUT_SECONDS,
                # The server probes an idle leader: if its host or network died, the session ends within about
                # 30 s and the lock with it, so another instance's relay can lead.
                server_settings={"tcp_keepalives_idle": "15", "tcp_keepalives_interval": "5",
                                 "tcp_keepalives_count": "3"})
        if not self._leads:
            self._leads = bool(await connection.fetchval("SELECT pg_try_advisory_lock($1)", RELAY_LOCK_KEY))
        return connection if self._leads else None

    async def _step_down(self) -> None:
        """After a failure: close the connection, which frees the lock, so a healthy instance's relay can lead."""
        connection, self._connection, self._leads = self._connection, None, False
        if connection is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), timeout=5)

    async def _producer_started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = make_producer(self.kafka, client_id=self.client_id)
            try:
                await producer.start()
            except Exception:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _close_producer(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            with contextlib.suppress(Exception):
                await asyncio.wait_for(producer.stop(), timeout=5)

    async def _sleep(self, seconds: float) -> None:
        await self._wake.wait(seconds)
