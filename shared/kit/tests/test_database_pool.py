"""The connection pool: a pooled connection the database dropped is replaced before use, no request sees the error."""

import asyncio
import json

import asyncpg
import pytest
from konnect_kit.db import Database, ReadQuery, asyncpg_dsn
from sqlalchemy import String, bindparam, cast, column, literal, select, text
from sqlalchemy.dialects.postgresql import JSONB


async def backend_pid(database: Database) -> int:
    async with database.transaction() as session:
        return await session.scalar(text("SELECT pg_backend_pid()"))


async def test_a_dropped_idle_connection_is_replaced_silently(fresh_database):
    database = Database(fresh_database, pool_size=1, max_overflow=0, idle_ping_seconds=0)
    other = Database(fresh_database, pool_size=1, max_overflow=0)
    try:
        first = await backend_pid(database)
        async with other.transaction() as session:  # e.g. a database restart or an idle timeout
            assert await session.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        assert await backend_pid(database) != first  # pinged, found dead, replaced: no error
    finally:
        await database.dispose()
        await other.dispose()


async def test_a_recently_used_connection_is_not_pinged_again(fresh_database):
    database = Database(fresh_database, pool_size=1, max_overflow=0)
    try:
        first = await backend_pid(database)
        assert await backend_pid(database) == first  # reused as it is
    finally:
        await database.dispose()


async def test_a_reader_runs_compiled_queries_with_named_values_and_rows_by_name(fresh_database):
    """Hot reads (konnect_kit.db.Reader): values by name, literals kept, JSON decoded, rows read as attributes."""

    query = ReadQuery(select(bindparam("name", type_=String).label("name"), literal(7).label("seven"),
                             cast(literal('{"a": [1, 2]}'), JSONB).label("doc")))
    database = Database(fresh_database, pool_size=1, max_overflow=0)
    try:
        async with database.read() as reader:
            row = await reader.row(query, name="Sem")
            assert (row.name, row.seven, row.doc) == ("Sem", 7, {"a": [1, 2]})
            assert dict(row) == {"name": "Sem", "seven": 7, "doc": {"a": [1, 2]}}
            with pytest.raises(TypeError, match="name"):
                await reader.row(query)  # a forgotten value is a programming error, not a NULL
        with pytest.raises(ValueError, match="ANY"):
            ReadQuery(select(literal(1)).where(column("x").in_(bindparam("xs", expanding=True))))
    finally:
        await database.dispose()


async def test_rows_of_different_statements_read_as_attributes_only_their_own_columns(fresh_database):
    """A column read as an attribute once (which gives `Row` a descriptor for its name) is read the same way on
    every later row; a row without that column still has no such attribute, and the record's own methods win."""
    first = ReadQuery(text("SELECT 1 AS child_id, 'Sem' AS first_name, 'x' AS keys"))
    other = ReadQuery(text("SELECT 2 AS group_id"))
    database = Database(fresh_database, pool_size=1, max_overflow=0)
    try:
        async with database.read() as reader:
            row = await reader.row(first)
            assert (row.child_id, row.first_name) == (1, "Sem")
            assert (row.child_id, row.first_name) == (1, "Sem")  # the second read takes the descriptor
            assert callable(row.keys) and row["keys"] == "x"  # a method of the record is not shadowed
            again = await reader.row(first)
            assert again.child_id == 1
            elsewhere = await reader.row(other)
            assert elsewhere.group_id == 2
            with pytest.raises(AttributeError, match="child_id"):
                _ = elsewhere.child_id  # the descriptor from the other statement's rows finds no such column
            assert getattr(elsewhere, "first_name", None) is None and not hasattr(elsewhere, "child_id")
            assert not hasattr(row, "group_id") and row.child_id == 1
    finally:
        await database.dispose()


async def test_a_reader_whose_connection_died_reads_again_on_a_new_one_without_an_error(fresh_database):
    """A restart or an idle timeout ends the pooled read connections; the next read must not fail for that."""
    database = Database(fresh_database, pool_size=2, max_overflow=0)
    other = Database(fresh_database, pool_size=1, max_overflow=0)
    pid = ReadQuery(text("SELECT pg_backend_pid()"))
    sleep = ReadQuery(text("SELECT pg_sleep(0.3), pg_backend_pid()"))
    try:
        reader = database.reader
        first, second = (row[1] for row in await asyncio.gather(reader.row(sleep), reader.row(sleep)))
        assert first != second  # two idle connections in the pool now
        async with other.transaction() as session:
            await session.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                       "WHERE pid = ANY(:pids)"), {"pids": [first, second]})
        assert await reader.value(pid) not in (first, second)  # both dropped, a new one used, no error
        assert await reader.value(pid) not in (first, second)
    finally:
        await database.dispose()
        await other.dispose()


async def test_a_failing_read_statement_keeps_its_connection_and_a_cancelled_one_loses_it(fresh_database):
    database = Database(fresh_database, pool_size=1, max_overflow=0)
    pid = ReadQuery(text("SELECT pg_backend_pid()"))
    try:
        reader = database.reader
        first = await reader.value(pid)
        with pytest.raises(asyncpg.DivisionByZeroError):
            await reader.value(ReadQuery(text("SELECT 1 / 0")))
        assert await reader.value(pid) == first  # a statement error is the caller's, the connection is fine
        slow = asyncio.create_task(reader.value(ReadQuery(text("SELECT pg_sleep(5)"))))
        await asyncio.sleep(0.2)
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        # the cancelled statement's connection may still be busy: it is closed, and the single slot is free again
        assert await asyncio.wait_for(reader.value(pid), 5) != first
    finally:
        await database.dispose()


async def test_reads_never_use_more_connections_than_the_pool_size(fresh_database):
    database = Database(fresh_database, pool_size=2, max_overflow=0)
    sleep = ReadQuery(text("SELECT pg_backend_pid() FROM pg_sleep(0.2)"))
    try:
        pids = await asyncio.gather(*(database.reader.value(sleep) for _ in range(6)))
        assert len(set(pids)) == 2
    finally:
        await database.dispose()


# A statement the planner costs above jit_above_cost (100,000 by default): a cross join it cannot see through
# (explained, not run).
_DEAR = "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b WHERE a + b > 0"


async def test_no_statement_of_a_service_is_jit_compiled(fresh_database):
    """JIT compiled a big organisation's staff conversation list for ~1 s before running it for 0.18 s: every
    connection, units of work and hot reads alike, runs with it off, whatever the server's own setting."""
    database = Database(fresh_database, pool_size=1, max_overflow=0)
    try:
        async with database.transaction() as session:
            assert await session.scalar(text("SHOW jit")) == "off"
            plan = await session.scalar(text(f"EXPLAIN (FORMAT JSON) {_DEAR}"))
            assert plan[0]["Plan"]["Total Cost"] > 100_000 and "JIT" not in plan[0]
        async with database.read() as reader:
            assert await reader.value(ReadQuery(text("SHOW jit"))) == "off"
        # The server itself has it on: without the setting this statement would be compiled.
        plain = await asyncpg.connect(asyncpg_dsn(fresh_database))
        try:
            assert await plain.fetchval("SHOW jit") == "on"
            assert "JIT" in json.loads(await plain.fetchval(f"EXPLAIN (FORMAT JSON) {_DEAR}"))[0]
        finally:
            await plain.close()
    finally:
        await database.dispose()
