"""A read model's builder on real PostgreSQL: an item built commits; one that lost to a concurrent change is rolled
back and picked again; one that fails otherwise is rolled back and set aside (in its own transaction) without
stopping the queue; a queue that cannot be read fails the pass."""

import logging

import asyncpg
import pytest
from konnect_kit.db import Database, Session, asyncpg_dsn
from konnect_kit.read_model_builder import ReadModelBuilder
from sqlalchemy import text


class Builder(ReadModelBuilder[str]):
    what = "test item"

    def __init__(self, database: Database, queue: list[str], outcome: str) -> None:
        super().__init__(database, poll_seconds=60)
        self.queue, self.outcome = queue, outcome

    async def pick(self, session: Session) -> str | None:
        if self.outcome == "queue fails":
            raise RuntimeError("database away")
        await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        await session.execute(text("SELECT count(*) FROM built"))  # the snapshot
        return self.queue[0] if self.queue else None

    async def build(self, session: Session, picked: str) -> None:
        await session.execute(text("INSERT INTO built (item) VALUES (:item)"), {"item": picked})
        if self.outcome == "concurrent change":
            # Another transaction changes the row this snapshot is about to change: a real serialization failure.
            other = await asyncpg.connect(asyncpg_dsn(self.database.url))
            await other.execute("UPDATE counter SET n = n + 1")
            await other.close()
            await session.execute(text("UPDATE counter SET n = n + 10"))
        if self.outcome == "fails":
            raise ValueError("a bug in the rules")
        self.queue.pop(0)

    async def set_aside(self, session: Session, picked: str) -> None:
        await session.execute(text("INSERT INTO aside (item) VALUES (:item)"), {"item": picked})


@pytest.fixture
async def database(fresh_database: str):
    db = Database(fresh_database)
    async with db.transaction() as session:
        for statement in ("CREATE TABLE built (item text)", "CREATE TABLE aside (item text)",
                          "CREATE TABLE counter (n int)", "INSERT INTO counter VALUES (0)"):
            await session.execute(text(statement))
    try:
        yield db
    finally:
        await db.dispose()


async def _items(db: Database, table: str) -> list[str]:
    async with db.transaction() as session:
        return list((await session.execute(text(f"SELECT item FROM {table} ORDER BY item"))).scalars())


async def test_items_are_built_one_per_transaction_until_none_is_left(database) -> None:
    builder = Builder(database, ["a", "b"], "builds")
    assert await builder.drain() == 2
    assert await _items(database, "built") == ["a", "b"] and builder.built_total == 2
    assert not await builder.handle_next()


async def test_an_item_that_lost_to_a_concurrent_change_is_rolled_back_and_picked_again(database) -> None:
    builder = Builder(database, ["a"], "concurrent change")
    assert await builder.handle_next()  # go on: picked again from a newer snapshot
    assert await _items(database, "built") == [] and await _items(database, "aside") == []
    assert builder.built_total == 0
    builder.outcome = "builds"
    assert await builder.handle_next()
    assert await _items(database, "built") == ["a"]


async def test_an_item_that_fails_is_rolled_back_set_aside_and_logged(database, caplog) -> None:
    builder = Builder(database, ["a"], "fails")
    with caplog.at_level(logging.ERROR):
        assert not await builder.handle_next()  # this pass ends; the others in the queue come next pass
    assert await _items(database, "built") == [] and await _items(database, "aside") == ["a"]
    assert "test item a not built" in caplog.text


async def test_a_queue_that_cannot_be_read_fails_the_pass(database) -> None:
    with pytest.raises(RuntimeError):
        await Builder(database, ["a"], "queue fails").handle_next()
