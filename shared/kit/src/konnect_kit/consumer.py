"""Idempotent Kafka consumer: inbox row and effect in one transaction, offsets committed after it.

Fast path: everything one poll returned runs in one transaction. If anything in it fails, the batch is
rolled back and replayed message by message, each with bounded retries and backoff; a message
that still fails goes to the service's dead-letter topic and the partition moves on.

The inbox (which events were applied) is `konnect_kit.inbox`; writing dead letters is `konnect_kit.dead_letter`
(reading and replaying them: `konnect_kit.dlq`).
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from konnect_contracts.envelope import HEADER_EVENT_TYPE, Envelope, EventPayload
from konnect_contracts.topics import dead_letter_topic
from pydantic import ValidationError, create_model
from sqlalchemy.ext.asyncio import AsyncSession

from konnect_kit import inbox
from konnect_kit.correlation import causation_id_var, correlation_id_var
from konnect_kit.db import Database
from konnect_kit.dead_letter import send_dead_letter
from konnect_kit.kafka import KafkaConnection, make_producer
from konnect_kit.outbox import Outbox
from konnect_kit.topics import consumer_group, topic_name, unprefixed

log = logging.getLogger(__name__)

P = TypeVar("P", bound=EventPayload)


class EventContext:
    """What a handler gets besides the payload: the open transaction, the envelope, the outbox, and the topic
    the event came from (the broker's ACLs say who may write each topic, so the topic tells who sent it), by
    its catalogue name: the deployment's topic prefix is already taken off."""

    # A plain slotted class: built once per event on the hot path, where a frozen dataclass costs more.
    __slots__ = ("envelope", "outbox", "session", "topic")

    def __init__(self, session: AsyncSession, envelope: Envelope, outbox: Outbox, topic: str = "") -> None:
        self.session, self.envelope, self.outbox, self.topic = session, envelope, outbox, topic


Handler = Callable[[EventContext, Any], Awaitable[None]]

TopicSource = Callable[[AsyncSession], Awaitable[Iterable[str]]]
"""Topics only known at run time, read from the service's own data (e.g. one per registered ERP client), by
catalogue name (the consumer adds the deployment's prefix)."""


class _CommitOnRevoke(ConsumerRebalanceListener):
    """Before partitions move to another instance, finish the batch in hand and commit its offsets."""

    def __init__(self, owner: "EventConsumer") -> None:
        self.owner = owner

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self.owner._settle()
        await self.owner._flush_offsets(set(revoked))

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        return None


class PermanentError(Exception):
    """The message can never be processed (undecodable, invalid payload): no point retrying."""


@dataclass
class _Route:
    payload_type: type[EventPayload]
    handler: Handler
    # The envelope with its payload typed: one validation pass from bytes to the handler's model.
    envelope_type: type[Envelope]


Handlers = Mapping[type[EventPayload], Callable[[EventContext, Any], Awaitable[None]]]
"""What a service consumes, as data: {PayloadType: handler}."""


@dataclass(frozen=True)
class Subscription:
    """What a service consumes, as data: each payload type is read from the topic its contract names (under the
    deployment's topic prefix); `more_topics` adds topics named by the service's own data, whose events go to
    the same handlers by event type.

    Why not a Kafka regex subscription: aiokafka can lose the rebalance a new matching topic needs when the
    topic appears while the group is rebalancing (its rejoin request is reset by the sync that follows), so
    the topic stays unassigned until some later topic change. An explicit list, changed by `subscribe()`,
    always rejoins, and the leader fetches the new topics' metadata before it assigns them.
    """

    handlers: Handlers
    more_topics: TopicSource | None = None


class EventConsumer:
    def __init__(
        self,
        database: Database,
        outbox: Outbox,
        *,
        kafka: KafkaConnection,
        service: str,
        topic_prefix: str = "",
        max_attempts: int = 5,
        backoff_initial: float = 0.2,
        backoff_max: float = 5.0,
        batch_size: int = 2000,
        offset_commit_interval: float = 1.0,
    ) -> None:
        self.database = database
        self.outbox = outbox
        self.kafka = kafka
        self.service = service
        # Every Kafka name this consumer uses is in the deployment's namespace (konnect_kit.topics).
        self.topic_prefix = topic_prefix
        self.group_id = consumer_group(service, topic_prefix)
        self.max_attempts = max_attempts
        self.backoff_initial = backoff_initial
        self.backoff_max = backoff_max
        self.batch_size = batch_size
        self.offset_commit_interval = offset_commit_interval
        self.dead_letter_topic = topic_name(dead_letter_topic(service), topic_prefix)
        self._routes: dict[str, dict[str, _Route]] = {}
        self._routes_by_type: dict[str, _Route] = {}
        self._routes_by_header: dict[bytes, _Route] = {}
        self._topic_sources: list[TopicSource] = []
        self._extra_topics: frozenset[str] = frozenset()
        self.topic_refresh_seconds = 10.0
        self._last_topic_refresh = 0.0
        self._consumer: AIOKafkaConsumer | None = None
        self._pending_offsets: dict[TopicPartition, int] = {}
        self._last_offset_commit = 0.0
        self._in_flight: asyncio.Task[None] | None = None
        self._dlq_producer: AIOKafkaProducer | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self.processed_total = 0
        self.dead_lettered_total = 0
        self.running = False

    # -- wiring ---------------------------------------------------------------------------------

    def on(self, payload_type: type[P], handler: Callable[[EventContext, P], Awaitable[None]]) -> None:
        """Route `payload_type` events, read from the topic its contract names (in this deployment's namespace)."""
        route = _Route(payload_type, handler, create_model(
            f"{payload_type.__name__}Envelope", __base__=Envelope, payload=(payload_type, ...)))
        self._routes.setdefault(topic_name(payload_type, self.topic_prefix), {})[payload_type.EVENT_TYPE] = route
        # Event types are unique across topics (the contract guarantees it), so one flat lookup serves.
        # Types not in it are ignored: forward compatibility with producers that are ahead of us.
        self._routes_by_type[payload_type.EVENT_TYPE] = route
        self._routes_by_header[payload_type.EVENT_TYPE.encode()] = route  # the hot path compares raw header bytes

    def subscribe(self, subscriptions: Iterable[Subscription]) -> None:
        """Wire a service's declared subscriptions (see `konnect_kit.service.create_service_app`)."""
        for subscription in subscriptions:
            for payload_type, handler in subscription.handlers.items():
                self.on(payload_type, handler)
            if subscription.more_topics is not None:
                self.also_subscribe(subscription.more_topics)

    def also_subscribe(self, source: TopicSource) -> None:
        """Also consume the topics `source` names (asked at start and every `topic_refresh_seconds`; a change
        re-subscribes); their events go to the routes of their event types."""
        self._topic_sources.append(source)

    @property
    def topics(self) -> list[str]:
        """The Kafka names of the topics the handlers' contracts name."""
        return sorted(self._routes)

    @property
    def subscribed_topics(self) -> list[str]:
        return sorted(set(self._routes) | self._extra_topics)

    async def _read_extra_topics(self) -> frozenset[str]:
        if not self._topic_sources:
            return frozenset()
        topics: set[str] = set()
        async with self.database.transaction() as session:
            for source in self._topic_sources:
                topics.update(topic_name(name, self.topic_prefix) for name in await source(session))
        return frozenset(topics)

    async def _refresh_topics(self) -> None:
        """Re-subscribe when the service's data names other topics than before (checked every interval; the
        first check runs as soon as the consumer has joined with the catalogue topics)."""
        if not self._topic_sources or time.monotonic() - self._last_topic_refresh < self.topic_refresh_seconds:
            return
        self._last_topic_refresh = time.monotonic()
        try:
            topics = await self._read_extra_topics()
        except Exception as exc:  # the database briefly away: keep the current subscription, ask again later
            log.warning("cannot read the topics to consume", extra={"error": repr(exc)})
            return
        if self._consumer is None:
            return
        try:
            # Only topics that exist: a named topic that is missing (deleted, not created yet) would hold up
            # the whole group's assignment; it is picked up at a later refresh once it is there.
            available = await self._consumer.topics()
        except KafkaError as exc:
            log.warning("cannot list the topics to consume", extra={"error": repr(exc)})
            return
        missing = topics - available
        if missing:
            log.warning("named topics do not exist (yet)", extra={"topics": sorted(missing)})
        topics &= available
        if topics == self._extra_topics:
            return
        # Finish the batch in hand and send its offsets while the partitions are still ours.
        await self._settle()
        await self._flush_offsets()
        self._extra_topics = topics
        self._consumer.subscribe(self.subscribed_topics, listener=_CommitOnRevoke(self))
        log.info("subscription changed", extra={"topics": self.subscribed_topics})

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._routes:
            self._task = asyncio.create_task(self._run(), name=f"{self.service}-consumer")

    def _new_clients(self) -> tuple[AIOKafkaConsumer, AIOKafkaProducer]:
        consumer = AIOKafkaConsumer(
            **self.kafka.client_kwargs(),
            group_id=self.group_id,
            client_id=f"{self.service}-consumer",
            enable_auto_commit=False,  # offsets move only after the database commit
            auto_offset_reset="earliest",
            max_poll_records=self.batch_size,
            # Larger fetches keep the prefetch buffer ahead of a consumer that spends time in the database.
            max_partition_fetch_bytes=4 * 1024 * 1024,
        )
        consumer.subscribe(self.subscribed_topics, listener=_CommitOnRevoke(self))
        return consumer, make_producer(self.kafka, client_id=f"{self.service}-dlq")

    async def stop(self) -> None:
        """Graceful: the batch in hand finishes and its offsets are committed before we leave."""
        self._stopping.set()
        if self._task:
            await self._task

    async def _run(self) -> None:
        while not self._stopping.is_set():
            self._consumer, self._dlq_producer = self._new_clients()
            try:
                await self._consumer.start()
                await self._dlq_producer.start()
                break
            except KafkaError as exc:
                log.warning("consumer cannot reach Kafka yet", extra={"error": repr(exc)})
                await self._consumer.stop()
                await self._dlq_producer.stop()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), timeout=2)
        if self._stopping.is_set():  # asked to stop while connecting: close what did start
            for client in (self._consumer, self._dlq_producer):
                if client is not None:
                    with contextlib.suppress(Exception):
                        await client.stop()
            return
        assert self._consumer is not None
        self.running = True
        # Two-stage pipeline: while batch N is in its database transaction (waiting on I/O), batch
        # N+1 is fetched and decoded (CPU). Batches still apply and commit strictly in order.
        try:
            while not self._stopping.is_set():
                await self._refresh_topics()
                batches = await self._consumer.getmany(timeout_ms=200, max_records=self.batch_size)
                if not batches:
                    # Quiet partition: finish the batch in hand and send its offsets now, or an idle
                    # consumer would sit on uncommitted offsets until the next event arrives.
                    await self._settle()
                    if time.monotonic() - self._last_offset_commit >= self.offset_commit_interval:
                        await self._flush_offsets()
                    continue
                decoded = await self._decode([r for records in batches.values() for r in records])
                offsets = {tp: records[-1].offset + 1 for tp, records in batches.items()}
                await self._settle()
                self._in_flight = asyncio.create_task(self._apply_and_commit(decoded, offsets))
            await self._settle()
            await self._flush_offsets()
        finally:
            self.running = False
            with contextlib.suppress(Exception):
                await self._consumer.stop()
            if self._dlq_producer is not None:
                with contextlib.suppress(Exception):
                    await self._dlq_producer.stop()

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        """Remember offsets whose effects are committed; send them to Kafka at most every interval.

        Committing after every batch costs a broker round trip each time. Deferring is safe: only
        offsets of database-committed batches are ever sent, and what a crash redelivers the inbox skips.
        """
        assert self._consumer is not None
        owned = self._consumer.assignment()  # a partition revoked meanwhile belongs to another instance now
        self._pending_offsets.update({tp: o for tp, o in offsets.items() if tp in owned})
        if time.monotonic() - self._last_offset_commit >= self.offset_commit_interval:
            await self._flush_offsets()

    async def _flush_offsets(self, only: set[TopicPartition] | None = None) -> None:
        assert self._consumer is not None
        offsets = {tp: o for tp, o in self._pending_offsets.items() if only is None or tp in only}
        if not offsets:
            return
        for tp in offsets:
            del self._pending_offsets[tp]
        self._last_offset_commit = time.monotonic()
        try:
            await self._consumer.commit(offsets)
        except KafkaError as exc:
            # Rebalanced away or the coordinator is briefly gone: the events are redelivered later
            # and the inbox absorbs the duplicates, so losing this commit loses nothing.
            log.warning("offset commit failed", extra={"error": repr(exc)})

    # -- processing -----------------------------------------------------------------------------

    async def _settle(self) -> None:
        if self._in_flight is not None:
            task, self._in_flight = self._in_flight, None
            await task

    async def _decode(self, records: list[ConsumerRecord]) -> list[tuple[ConsumerRecord, Envelope]]:
        """Envelopes of the events this consumer handles; others are skipped without parsing them."""
        decoded: list[tuple[ConsumerRecord, Envelope]] = []
        for record in records:
            event_type = _header(record, HEADER_EVENT_TYPE)
            route = self._routes_by_header.get(event_type) if event_type is not None else None
            if event_type is not None and route is None:
                continue  # an event type we do not handle, named in its header: no need to read it
            try:
                if route is not None:
                    envelope = route.envelope_type.model_validate_json(record.value)
                else:  # no header (e.g. a hand-written producer): read the envelope to learn the type
                    envelope = Envelope.from_bytes(record.value)
                    if envelope.event_type not in self._routes_by_type:
                        continue
            except (ValidationError, ValueError) as exc:
                await self._dead_letter(record, exc, attempts=1)
                continue
            decoded.append((record, envelope))
        return decoded

    async def _apply_and_commit(self, decoded: list[tuple[ConsumerRecord, Envelope]],
                                offsets: dict[TopicPartition, int]) -> None:
        """One transaction and one offset commit for everything one poll returned."""
        if decoded:
            await self._apply(decoded)
        await self._commit(offsets)

    async def _apply(self, decoded: list[tuple[ConsumerRecord, Envelope]]) -> None:
        try:
            async with self.database.transaction() as session:
                fresh = await self._claim(session, [env for _, env in decoded])
                for record, envelope in decoded:
                    if envelope.event_id in fresh:
                        fresh.discard(envelope.event_id)  # a duplicate inside one batch runs once
                        await self._dispatch(session, envelope, record.topic)
            self.processed_total += len(decoded)
        except Exception:
            # Something in the batch failed: isolate it by replaying one message at a time.
            for record, envelope in decoded:
                await self._handle_one(record, envelope)

    async def _handle_one(self, record: ConsumerRecord, envelope: Envelope) -> None:
        delay = self.backoff_initial
        for attempt in range(1, self.max_attempts + 1):
            try:
                async with self.database.transaction() as session:
                    if await self._claim(session, [envelope]):
                        await self._dispatch(session, envelope, record.topic)
                self.processed_total += 1
                return
            except PermanentError as exc:
                await self._dead_letter(record, exc, attempts=attempt)
                return
            except Exception as exc:
                if attempt == self.max_attempts:
                    await self._dead_letter(record, exc, attempts=attempt)
                    return
                log.warning(
                    "event handling failed, retrying",
                    extra={"event_id": str(envelope.event_id), "attempt": attempt, "error": repr(exc)},
                )
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.backoff_max)

    async def _claim(self, session: AsyncSession, envelopes: list[Envelope]) -> set[Any]:
        return await inbox.claim(session, self.group_id, envelopes)

    async def _dispatch(self, session: AsyncSession, envelope: Envelope, topic: str) -> None:
        route = self._routes_by_type[envelope.event_type]
        payload = envelope.payload
        if not isinstance(payload, route.payload_type):
            try:
                payload = envelope.payload_as(route.payload_type)
            except ValidationError as exc:
                raise PermanentError(f"invalid {envelope.event_type} payload: {exc}") from exc
        corr = correlation_id_var.set(envelope.correlation_id)
        cause = causation_id_var.set(envelope.event_id)
        try:
            await route.handler(EventContext(session, envelope, self.outbox, unprefixed(topic, self.topic_prefix)),
                                payload)
            if log.isEnabledFor(logging.INFO):
                log.info("event handled", extra={"event_type": envelope.event_type, "event_id": str(envelope.event_id)})
        finally:
            causation_id_var.reset(cause)
            correlation_id_var.reset(corr)

    async def _dead_letter(self, record: ConsumerRecord, exc: BaseException, *, attempts: int) -> None:
        assert self._dlq_producer is not None
        await send_dead_letter(self._dlq_producer, self.dead_letter_topic, record, exc, consumer=self.group_id,
                               attempts=attempts, backoff_initial=self.backoff_initial,
                               backoff_max=self.backoff_max)
        self.dead_lettered_total += 1


def _header(record: ConsumerRecord, name: str) -> bytes | None:
    for key, value in record.headers or ():
        if key == name:
            return value
    return None
