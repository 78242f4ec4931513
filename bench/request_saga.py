"""Benchmark: extra-day request → ERP evaluation → RequestDecided → parent e-mail accepted by SMTP, p50/p99.

Every service, the example ERP client, Kafka, PostgreSQL and mailpit run as real processes (bench profile).
200 requests are submitted one after the other through the gateway; each is timed from the POST until
its decision mail is in mailpit. Baseline in the same run: a bare aiokafka produce → consume round trip.
Both are measured after a minute of Kafka traffic and 100 sagas that are not counted (steady state, as in
production: every process of the run starts cold, and Kafka's JIT compiler alone took a third of a core in the
first minute).

    .venv/bin/python bench/request_saga.py [--requests 200] [--warm-up 100] [--warm-broker 60] [--log-statements]

It starts the bench profile over from empty databases and topics (like a new deployment): the big organisation
that `bench/read_paths.py` loaded into the same profile is gone afterwards, and read_paths loads it again (minutes).

Then it reads every event of the run back from Kafka and prints where the time went, hop by hop: for each
event the envelope's `occurred_at` (written in its producer's transaction) and the Kafka record's timestamp
(sent by the outbox relay), and the time mailpit received the mail.
"""

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import websockets
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from konnect_devstack.infra import LocalInfra
from konnect_devstack.profiles import bench_profile
from konnect_devstack.pytest_plugin import Mailpit, internal_headers
from konnect_devstack.stack import DOMAIN_SERVICES, GATEWAY, Stack
from konnect_kit.kafka import KafkaConnection, ensure_topics

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))  # the e2e world builder
from planning_world import build_planning_world, erp_client, monday_in


def quantiles(samples: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(samples, n=100)
    return q[49] * 1000, q[98] * 1000


async def kafka_round_trips(bootstrap: KafkaConnection, count: int) -> list[float]:
    topic = f"bench.roundtrip.{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [(topic, 1)])
    consumer = AIOKafkaConsumer(topic, **bootstrap.client_kwargs(), group_id=f"rt-{uuid.uuid4().hex}",
                                auto_offset_reset="earliest")
    producer = AIOKafkaProducer(**bootstrap.client_kwargs(), acks="all", enable_idempotence=True)
    await consumer.start()
    await producer.start()
    samples = []
    try:
        for i in range(count + 10):  # the first ten warm the connections up and are not counted
            started = time.perf_counter()
            await producer.send_and_wait(topic, str(i).encode())
            record = await consumer.getone()
            assert record.value == str(i).encode()
            if i >= 10:
                samples.append(time.perf_counter() - started)
    finally:
        await producer.stop()
        await consumer.stop()
    return samples


async def warm_the_broker(bootstrap: KafkaConnection, seconds: float) -> int:
    """Produce, fetch and commit offsets one message at a time for `seconds`; returns how many went round.

    Why: every run starts Kafka anew, and its JIT compiler keeps compiling long after the 100 warm-up sagas. With
    only those, the compiler threads used 8 ms of CPU per measured saga, half of the broker's, on a machine of two
    cores where every step waits for a core (bench/PROFILE-read-paths.md, round 18). A deployed broker has run for
    days; the paths compiled here (produce with acks=all, fetch, offset commit) are the ones the saga takes."""
    topic = f"bench.warm.{uuid.uuid4().hex[:8]}"
    await ensure_topics(bootstrap, [(topic, 1)])
    consumer = AIOKafkaConsumer(topic, **bootstrap.client_kwargs(), group_id=f"warm-{uuid.uuid4().hex}",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    producer = AIOKafkaProducer(**bootstrap.client_kwargs(), acks="all", enable_idempotence=True)
    await consumer.start()
    await producer.start()
    sent, until = 0, time.monotonic() + seconds
    try:
        while time.monotonic() < until:
            await producer.send_and_wait(topic, b"warm")
            await consumer.getone()
            await consumer.commit()
            sent += 1
    finally:
        await producer.stop()
        await consumer.stop()
    return sent


# Decision mails name what happened to whom ("Extra dag voor Noor op woensdag 9 december geaccepteerd").
DECISION_SUBJECT = "Extra dag voor"
DECISION_QUERY = f'subject:"{DECISION_SUBJECT}"'
MAIL_DEADLINE_SECONDS = 30.0


class DecisionMails:
    """Mailpit pushes every message it receives over its websocket (`/api/events`): the bench waits for each
    decision mail without polling, so it takes no CPU from the services it measures. (It used to poll mailpit's
    search every 5 ms: the bench and mailpit then used half of one of the two cores between them.)"""

    def __init__(self, mailpit: Mailpit, address: str) -> None:
        self.url = mailpit.api.replace("http://", "ws://", 1) + "/api/events"
        self.address = address.lower()
        self.received: asyncio.Queue[float] = asyncio.Queue()  # mailpit's receipt time, epoch seconds

    async def __aenter__(self) -> "DecisionMails":
        self._socket = await websockets.connect(self.url, max_size=None)
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *_: object) -> None:
        self._reader.cancel()
        await self._socket.close()

    async def _read(self) -> None:
        async for frame in self._socket:
            event = json.loads(frame)
            message = event.get("Data") or {}
            if (event.get("Type") == "new" and message.get("Subject", "").startswith(DECISION_SUBJECT)
                    and any(to.get("Address", "").lower() == self.address for to in message.get("To") or [])):
                self.received.put_nowait(_epoch(message["Created"]))

    async def next(self, request: int) -> float:
        try:
            return await asyncio.wait_for(self.received.get(), MAIL_DEADLINE_SECONDS)
        except TimeoutError:  # fail loudly, never hang
            sys.exit(f"request {request}: no decision mail within {MAIL_DEADLINE_SECONDS:.0f} s")


async def saga_round_trips(gateway_url: str, mailpit: Mailpit, bootstrap: KafkaConnection, count: int, warm_up: int,
                           warm_broker_seconds: float
                           ) -> tuple[list[float], list[float], list[float], dict[str, float], str]:
    """The bare Kafka round trips, then each request's time from POST to its mail as SMTP accepted it (mailpit's
    receipt time) and as the bench heard of it, and when each was posted (request id → epoch s).

    The first `warm_up` sagas are not counted, and the round trips are measured after them: every process of the
    run starts cold (Kafka's JIT compiler alone took a third of a core during the first minute), where a
    deployment's have been running for days."""
    async with httpx.AsyncClient(base_url=gateway_url, timeout=60) as gateway:
        w = await build_planning_world(gateway, mailpit)
        noor, morning, afternoon = w.children["noor"], w.parts["morning"], w.parts["afternoon"]
        # Wednesdays to Fridays (Noor is planned on Mondays and Tuesdays), mornings then afternoons.
        slots = [(monday_in(2) + timedelta(weeks=week, days=day), part)
                 for part in (morning, afternoon) for week in range(50) for day in (2, 3, 4)][:warm_up + count]
        accepted, heard, posted = [], [], {}
        baseline: list[float] = []
        async with erp_client(bootstrap, w.org), DecisionMails(mailpit, w.parents["eva"][1]) as mails:
            for n, (day, part) in enumerate(slots, start=1):
                if n == 1 and warm_broker_seconds:  # the broker first, then the sagas warm every other process
                    went = await warm_the_broker(bootstrap, warm_broker_seconds)
                    print(f"  broker warmed first: {went} messages produced, fetched and committed one at a time "
                          f"in {warm_broker_seconds:.0f} s", flush=True)
                if n == warm_up + 1:  # warm now: measure the bare round trip, then count the sagas from here
                    baseline = await kafka_round_trips(bootstrap, count)
                    accepted, heard, posted = [], [], {}
                started, wall = time.perf_counter(), time.time()
                r = await gateway.post("/api/v1/requests/extra-days", headers=w.as_parent("eva"), json={
                    "bookings": [{"starts_on": day.isoformat(), "children": [{"child_id": noor,
                                                                               "day_part_ids": [part]}]}]})
                assert r.status_code == 201, r.text
                posted[r.json()["request_id"]] = wall
                received = await mails.next(n)
                heard.append(time.perf_counter() - started)
                accepted.append(received - wall)
        return baseline, accepted, heard, posted, w.parents["eva"][1]


def _epoch(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


async def event_times(bootstrap: KafkaConnection) -> dict[str, dict[str, tuple[float, float]]]:
    """request id → "<topic kind>:<event type>" → (occurred_at, record timestamp), every event of the run."""
    consumer = AIOKafkaConsumer(**bootstrap.client_kwargs(), group_id=f"trace-{uuid.uuid4().hex}",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    found: dict[str, dict[str, tuple[float, float]]] = defaultdict(dict)
    try:
        topics = [t for t in await consumer.topics()
                  if t.startswith(("planning.", "erp.")) and not t.endswith((".dlq", ".dead-letter"))]
        consumer.subscribe(topics)
        idle = 0
        while idle < 3:
            batch = await consumer.getmany(timeout_ms=1000)
            idle = 0 if batch else idle + 1
            for tp, records in batch.items():
                kind = "erp" if tp.topic.startswith("erp.") else tp.topic.split(".")[1]
                for record in records:
                    envelope = json.loads(record.value)
                    request_id = envelope.get("payload", {}).get("request_id")
                    if request_id:
                        found[request_id].setdefault(f"{kind}:{envelope['event_type']}",
                                                     (_epoch(envelope["occurred_at"]), record.timestamp / 1000))
    finally:
        await consumer.stop()
    return found


async def mail_times(mailpit: Mailpit, address: str) -> list[float]:
    async with httpx.AsyncClient(timeout=30) as client:
        found = await client.get(f"{mailpit.api}/api/v1/search",
                                 params={"query": f"to:{address} {DECISION_QUERY}", "limit": 1000})
        return sorted(_epoch(m["Created"]) for m in found.json()["messages"])


async def delivery_times(stack: Stack, address: str) -> list[tuple[float, float]]:
    """(queued, claimed by the mail sender) of each decision mail, oldest first: the start time of the
    notifications handler's transaction and of the sender's (PostgreSQL `now()`)."""
    notifications = next(s for s in DOMAIN_SERVICES if s.name == "notifications")
    async with httpx.AsyncClient(timeout=30) as client:
        r = await client.get(f"{stack.url(notifications)}/deliveries", params={"recipient": address, "limit": 200},
                             headers=internal_headers("platform_operator", "operator"))
        items = [d for d in r.json()["items"]
                 if d["channel"] == "email" and d["kind"] == "request_decided" and d["sent_at"]]
        return sorted((_epoch(d["created_at"]), _epoch(d["sent_at"])) for d in items)


# The saga's steps in order: (label, event key, which of its two times).
STEPS = (
    ("API: POST -> RequestSubmitted written", "requests:RequestSubmitted", 0),
    ("planning relay: written -> sent to Kafka", "requests:RequestSubmitted", 1),
    # The copy for the ERP is written in the same transaction as the event (same envelope): only its send differs.
    ("planning relay: ERP copy sent", "erp:RequestSubmitted", 1),
    ("ERP client: evaluation sent", "erp:ChildEvaluated", 1),
    ("planning: evaluation applied, written", "evaluations:ChildEvaluated", 0),
    ("planning relay: evaluation sent", "evaluations:ChildEvaluated", 1),
    ("planning: decision written", "requests:RequestDecided", 0),
    ("planning relay: decision sent", "requests:RequestDecided", 1),
)


def print_trace(posted: dict[str, float], events: dict[str, dict[str, tuple[float, float]]],
                deliveries: list[tuple[float, float]], mails: list[float]) -> None:
    """Median time of each step (from the step before it) over the requests whose every step was found."""
    gaps: dict[str, list[float]] = defaultdict(list)
    # Mails carry no request id; requests were sent one after the other, so the n-th mail is the n-th request.
    in_order = sorted(posted.items(), key=lambda item: item[1])
    for (request_id, start), (queued, claimed), mail in zip(in_order, deliveries, mails, strict=False):
        times = events.get(request_id, {})
        previous = start
        steps = [(label, times[key][which]) for label, key, which in STEPS if key in times]
        for label, moment in [*steps, ("notifications: mail queued", queued),
                              ("mail sender: claimed", claimed), ("mail sender: received by SMTP", mail)]:
            gaps[label].append((moment - previous) * 1000)
            previous = moment
    print("  where the time goes (median ms per step, from the step before):")
    for label, values in gaps.items():
        print(f"    {label:45s} {statistics.median(values):8.1f}   (n={len(values)})")


async def log_every_statement(admin_dsn: str) -> None:
    """Statement logging for this run's database cluster (wiped before the next run, setting and all)."""
    connection = await asyncpg.connect(admin_dsn)
    try:
        await connection.execute("ALTER SYSTEM SET log_min_duration_statement = 0")
        await connection.execute("ALTER SYSTEM SET log_line_prefix = '%m [%p] %d '")
        await connection.execute("SELECT pg_reload_conf()")
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200, help="measured sagas (at most 200)")
    parser.add_argument("--warm-up", type=int, default=100,
                        help="sagas run first and not counted; the Kafka round trips are measured after them")
    parser.add_argument("--warm-broker", type=float, default=60.0, metavar="SECONDS",
                        help="before the sagas, keep Kafka busy this long (produce, fetch, commit) so its JIT compiler "
                             "has settled, as in a broker that has been running for days; 0 to measure it cold")
    parser.add_argument("--log-statements", action="store_true",
                        help="PostgreSQL logs every statement with its time (log_min_duration_statement = 0) to the "
                             "bench profile's postgres.log, to see each transaction of the saga; slows the run")
    args = parser.parse_args()
    profile = bench_profile()
    infra = LocalInfra(profile)
    Stack(profile, infra.endpoints).down()
    infra.down()
    infra.wipe()  # every run starts from empty databases and topics, like a new deployment
    endpoints = infra.up()
    if args.log_statements:
        asyncio.run(log_every_statement(endpoints.admin_dsn()))
    stack = Stack(profile, endpoints)
    stack.up()
    try:
        mailpit = Mailpit(endpoints.mailpit_api)
        baseline, accepted, heard, posted, address = asyncio.run(
            saga_round_trips(stack.url(GATEWAY), mailpit, endpoints.kafka, args.requests, args.warm_up,
                             args.warm_broker))
        events = asyncio.run(event_times(endpoints.kafka))
        # The measured sagas' mails are the newest ones (the warm-up's came first).
        mails = asyncio.run(mail_times(mailpit, address))[-args.requests:]
        deliveries = asyncio.run(delivery_times(stack, address))[-args.requests:]
    finally:
        stack.down()
    # The saga ends when SMTP accepted the mail: mailpit stamps that moment (same machine, same clock as the
    # POST's start). The bench hears of it a moment later over mailpit's websocket; both are printed.
    (b50, b99), (s50, s99), (h50, h99) = quantiles(baseline), quantiles(accepted), quantiles(heard)
    print(f"request_saga: {args.requests} requests, one after the other, after {args.warm_up} not counted")
    print(f"  bare aiokafka produce->consume    p50 {b50:8.1f} ms   p99 {b99:8.1f} ms")
    print(f"  POST -> evaluated -> mail accepted by SMTP (mailpit's receipt time)"
          f"   p50 {s50:8.1f} ms   p99 {s99:8.1f} ms")
    print(f"  the same, as the bench heard of it (mailpit's websocket)"
          f"             p50 {h50:8.1f} ms   p99 {h99:8.1f} ms")
    print(f"  ratio saga/round trip: p50 {s50 / b50:.1f}x, p99 {s99 / b99:.1f}x"
          f"   (targets: p50 <= 10x, p99 <= 25x)")
    print_trace(posted, events, deliveries, mails)


if __name__ == "__main__":
    main()
