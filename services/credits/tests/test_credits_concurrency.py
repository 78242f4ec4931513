"""A credit that covers exactly 3 bookings, asked for by 50 families at once: 3 reserved, 47 refused, nothing twice."""

import asyncio
import uuid
from collections import Counter
from decimal import Decimal
from typing import Any

from credits.api.models import GrantIn
from credits.main import create_app
from credits.service_layer.grants import grant_credit
from credits.service_layer.ledger import CreditLine, reserve_line, settle_line
from konnect_devstack.pytest_plugin import eventually, running_app
from konnect_kit.db import Database
from konnect_kit.outbox import Outbox

FAMILIES = 50


async def _figures(env: Any, credit: uuid.UUID) -> tuple[Decimal, Decimal, Decimal]:
    row = (await env.fetch("SELECT amount, reserved, consumed FROM credits WHERE credit_id = $1", credit))[0]
    return row["amount"], row["reserved"], row["consumed"]


async def _watch_usable(env: Any, credit: uuid.UUID, stop: asyncio.Event, seen: list[Decimal]) -> None:
    """Samples the balance all through the run: it must never be seen below zero."""
    while not stop.is_set():
        amount, reserved, consumed = await _figures(env, credit)
        seen.append(amount - reserved - consumed)
        await asyncio.sleep(0.01)


async def test_fifty_families_through_kafka_and_two_instances(credits_env) -> None:
    env = credits_env
    org, child, credit = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    first, second = create_app(env.settings()), create_app(env.settings())  # one consumer group, two members
    async with running_app(first) as client, running_app(second):
        granted = await client.put(f"/credits/{credit}", json=env.grant_body(org, child, "3"),
                                   headers=env.operator)
        assert granted.status_code == 200
        requests = [env.submitted(org, env.credit_line(child, credit, "1")) for _ in range(FAMILIES)]
        envelopes = [env.wrap(r) for r in requests]
        stop, seen = asyncio.Event(), []
        watcher = asyncio.create_task(_watch_usable(env, credit, stop, seen))
        await env.publish(*envelopes)  # fifty families, spread over six partitions, all at once
        await eventually(lambda: _outbox_count(env, FAMILIES + 1), timeout=60)

        # The whole run again: the same envelopes (inbox), then the same requests under new event ids
        # (state guards). Same family → same partition, so when the new ids are in, the old ones were handled.
        await env.publish(*envelopes, *(env.wrap(r) for r in requests))
        await eventually(lambda: _inbox_count(env, 2 * FAMILIES), timeout=60)
        stop.set()
        await watcher

    assert seen and min(seen) >= 0
    assert await _figures(env, credit) == (Decimal(3), Decimal(3), Decimal(0))
    statuses = Counter(r["status"] for r in await env.fetch("SELECT status FROM reservations"))
    assert statuses == {"reserved": 3, "failed": FAMILIES - 3}
    outcomes = await eventually(lambda: _ledger_outcomes(env, FAMILIES))
    assert Counter(e.event_type for e in outcomes) == {"CreditReserved": 3, "CreditReservationFailed": FAMILIES - 3}
    assert {e.payload["reason_code"] for e in outcomes if e.event_type == "CreditReservationFailed"} == {
        "insufficient_balance"}
    assert sorted(e.payload["remaining"] for e in outcomes if e.event_type == "CreditReserved") == ["0", "1", "2"]
    # The relay may still be publishing stragglers; nothing beyond the first run may ever appear.
    assert len(await env.fetch("SELECT 1 FROM kit_outbox")) == FAMILIES + 1


async def test_fifty_parallel_transactions_on_one_credit(credits_env) -> None:
    env = credits_env
    org, child, credit = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    database = Database(env.database_url, pool_size=FAMILIES // 2)  # 50 connections: every call truly parallel
    events = Outbox("credits-test")
    try:
        async with database.transaction() as session:
            grant = GrantIn.model_validate(env.grant_body(org, child, "3"))
            await grant_credit(session, events, credit, grant.model_dump())
        lines = [_line(env, org, child, credit) for _ in range(FAMILIES)]

        async def reserve(line: CreditLine) -> Any:
            async with database.transaction() as session:
                return await reserve_line(session, events, line)

        results = await asyncio.gather(*(reserve(line) for line in lines))
        kinds = Counter(type(r).__name__ for r in results)
        assert kinds == {"CreditReserved": 3, "CreditReservationFailed": FAMILIES - 3}
        assert {r.reason_code for r in results if type(r).__name__ == "CreditReservationFailed"} == {
            "insufficient_balance"}
        assert await _figures(env, credit) == (Decimal(3), Decimal(3), Decimal(0))

        # Replayed, again all at once: nothing is reserved or refused a second time.
        assert await asyncio.gather(*(reserve(line) for line in lines)) == [None] * FAMILIES

        # Consume and release racing on each reserved line: exactly one of them wins, once.
        won = [line for line, r in zip(lines, results, strict=True) if type(r).__name__ == "CreditReserved"]

        async def settle(line: CreditLine, cause: Any) -> Any:
            async with database.transaction() as session:
                return await settle_line(session, events, organisation_id=org, request_id=line.request_id,
                                         line_id=line.line_id, cause=cause)

        moves = await asyncio.gather(*(settle(line, cause) for line in won for cause in (None, "cancelled") * 5))
        assert len([m for m in moves if m is not None]) == len(won)
        amount, reserved, consumed = await _figures(env, credit)
        assert reserved == 0 and amount - reserved - consumed >= 0
        events_written = await env.fetch("SELECT event_type FROM kit_outbox")
        assert len(events_written) == 1 + FAMILIES + len(won)
    finally:
        await database.dispose()


def _line(env: Any, org: uuid.UUID, child: uuid.UUID, credit: uuid.UUID) -> CreditLine:
    line = env.credit_line(child, credit, "1")
    return CreditLine(request_id=uuid.uuid4(), line_id=line.line_id, organisation_id=org, family_id=uuid.uuid4(),
                      child_id=child, credit_id=credit, amount=line.credit_amount, starts_on=line.starts_on,
                      ends_on=line.ends_on, care_type=line.care_type, in_school_holiday=line.in_school_holiday)


async def _outbox_count(env: Any, expected: int) -> bool:
    return len(await env.fetch("SELECT 1 FROM kit_outbox")) >= expected


async def _inbox_count(env: Any, expected: int) -> bool:
    rows = await env.fetch("SELECT 1 FROM kit_inbox WHERE event_type = 'RequestSubmitted'")
    return len(rows) >= expected


async def _ledger_outcomes(env: Any, expected: int) -> list[Any] | None:
    found = [e for e in await env.ledger() if e.event_type.startswith("CreditReserv")]
    return found if len(found) >= expected else None
