"""The kit's tables stay in bounds: published outbox rows and inbox ids past their retention are deleted, while an
event still to be sent and a redelivery within the retention are kept as they were."""

import json
import uuid
from datetime import UTC, datetime, timedelta

from konnect_contracts.envelope import Envelope
from konnect_kit import inbox
from konnect_kit.db import Database
from konnect_kit.housekeeping import Housekeeping
from konnect_kit.service import ServiceKit
from konnect_kit.settings import ServiceSettings
from sqlalchemy import text

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def housekeeping(db: Database, batch_size: int = 5000) -> Housekeeping:
    return Housekeeping(db, outbox_retention=timedelta(days=7), inbox_retention=timedelta(days=30),
                        every_seconds=3600, batch_size=batch_size, clock=lambda: NOW)


async def outbox_row(db: Database, label: str, created: datetime, published: datetime | None) -> None:
    async with db.transaction() as session:
        await session.execute(text(
            "INSERT INTO kit_outbox (event_id, event_type, topic, key, value, headers, created_at, published_at) "
            "VALUES (:id, 'Probe', 'probe.v1', :label, :value, '[]', :created, :published)"),
            {"id": uuid.uuid4(), "label": label, "value": json.dumps({"label": label}).encode(), "created": created,
             "published": published})


async def inbox_row(db: Database, consumer: str, event_id: uuid.UUID, processed: datetime) -> None:
    async with db.transaction() as session:
        await session.execute(text("INSERT INTO kit_inbox (consumer, event_id, event_type, processed_at) "
                                   "VALUES (:consumer, :id, 'Probe', :processed)"),
                              {"consumer": consumer, "id": event_id, "processed": processed})


async def outbox_labels(db: Database) -> list[str]:
    async with db.transaction() as session:
        return list((await session.scalars(text("SELECT key FROM kit_outbox ORDER BY id"))).all())


async def inbox_ids(db: Database) -> set[uuid.UUID]:
    async with db.transaction() as session:
        return set((await session.scalars(text("SELECT event_id FROM kit_inbox"))).all())


async def test_rows_past_their_retention_go_and_everything_else_stays(fresh_database: str) -> None:
    db = Database(fresh_database)
    try:
        day = timedelta(days=1)
        await outbox_row(db, "sent-long-ago", NOW - 40 * day, NOW - 40 * day)
        await outbox_row(db, "never-sent", NOW - 40 * day, None)  # still to be sent: kept, however old
        await outbox_row(db, "written-long-ago-sent-lately", NOW - 40 * day, NOW - 6 * day)
        await outbox_row(db, "sent-8-days-ago", NOW - 8 * day, NOW - 8 * day)
        await outbox_row(db, "sent-now", NOW, NOW)
        old, recent = uuid.uuid4(), uuid.uuid4()
        await inbox_row(db, "planning", old, NOW - 31 * day)
        await inbox_row(db, "planning", recent, NOW - 29 * day)
        await inbox_row(db, "audit", old, NOW - 29 * day)  # the same event, applied later by another group

        assert await housekeeping(db).drain() == 3
        assert await outbox_labels(db) == ["never-sent", "written-long-ago-sent-lately", "sent-now"]
        assert await inbox_ids(db) == {recent, old}  # only planning's old id went
        # Within the retention a redelivered event is still recognised: applied once, as before.
        async with db.transaction() as session:
            envelopes = [Envelope(event_id=event_id, event_type="Probe", schema_version=1, occurred_at=NOW,
                                  producer="test", correlation_id="redelivery", payload={})
                         for event_id in (recent, old)]
            assert await inbox.claim(session, "planning", envelopes) == {old}
        assert await housekeeping(db).drain() == 0  # nothing more past its retention
    finally:
        await db.dispose()


async def test_a_large_backlog_goes_in_batches_within_one_pass(fresh_database: str) -> None:
    db = Database(fresh_database)
    try:
        for n in range(7):
            await outbox_row(db, f"old-{n}", NOW - timedelta(days=9), NOW - timedelta(days=9))
            await inbox_row(db, "planning", uuid.uuid4(), NOW - timedelta(days=31))
        await outbox_row(db, "new", NOW, NOW)
        worker = housekeeping(db, batch_size=3)  # 3 + 3 + 1 per table
        assert await worker.drain() == 14
        assert (await outbox_labels(db), await inbox_ids(db)) == (["new"], set())
        assert worker.deleted_total == 14
    finally:
        await db.dispose()


async def test_two_instances_at_once_do_not_repeat_each_others_work(fresh_database: str) -> None:
    db = Database(fresh_database)
    try:
        await outbox_row(db, "old", NOW - timedelta(days=9), NOW - timedelta(days=9))
        async with db.transaction() as session:  # another instance holds the lock in its batch
            await session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended('konnect_kit.housekeeping', 0))"))
            assert await housekeeping(db).drain() == 0
        assert await housekeeping(db).drain() == 1
    finally:
        await db.dispose()


def test_every_service_keeps_its_tables_in_bounds_as_configured() -> None:
    settings = ServiceSettings(outbox_retention_days=2, inbox_retention_days=45, housekeeping_seconds=600)
    kit = ServiceKit.from_settings(settings)
    [worker] = [w for w in kit.background if isinstance(w, Housekeeping)]
    assert (worker.outbox_retention, worker.inbox_retention, worker.poll_seconds) == (
        timedelta(days=2), timedelta(days=45), 600)
