"""Rows written driver-level (konnect_kit.db.insert_rows / update_row): the table's own column types, in order."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from konnect_kit.db import Database, insert_rows, update_row
from sqlalchemy import Column, Date, Integer, MetaData, Numeric, Table, Text, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = MetaData()
lines = Table(
    "lines", metadata,
    Column("line_id", Uuid, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("date", Date, nullable=False),  # a keyword as a column name: quoted
    Column("dates", ARRAY(Date), nullable=False),
    Column("price", Numeric(12, 2)),
    Column("status", Text, nullable=False),
)
documents = Table("documents", metadata, Column("id", Integer, primary_key=True), Column("body", JSONB))


@pytest.fixture
async def database(fresh_database):
    db = Database(fresh_database)
    async with db.engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield db
    await db.dispose()


async def test_rows_come_back_as_stored_in_the_order_given_and_roll_back_with_the_unit_of_work(database):
    rows = [{"line_id": uuid.uuid4(), "position": n, "date": date(2027, 1, n + 1),
             "dates": [date(2027, 1, n + 1), date(2027, 1, n + 2)], "price": Decimal("12.50") * n,
             "status": "pending"} for n in (2, 0, 1)]
    async with database.transaction() as session:
        stored = await insert_rows(session, lines, rows, returning=True)
        assert [r.position for r in stored] == [2, 0, 1]
        assert [dict(r.items()) for r in stored] == rows
        changed = await update_row(session, lines, "line_id", rows[1]["line_id"], status="accepted", price=None)
        assert (changed.status, changed.price, changed.position) == ("accepted", None, 0)
        assert await update_row(session, lines, "line_id", uuid.uuid4(), status="accepted") is None
    with pytest.raises(RuntimeError):
        async with database.transaction() as session:
            await insert_rows(session, lines, [{**rows[0], "line_id": uuid.uuid4(), "position": 9}])
            raise RuntimeError("the use case failed after writing")
    async with database.transaction() as session:
        found = (await session.execute(text("SELECT position, status FROM lines ORDER BY position"))).all()
    assert [tuple(r) for r in found] == [(0, "accepted"), (1, "pending"), (2, "pending")]


async def test_json_columns_are_refused_rather_than_written_wrongly(database):
    async with database.transaction() as session:
        with pytest.raises(TypeError, match="JSON"):
            await insert_rows(session, documents, [{"id": 1, "body": {"a": 1}}])
