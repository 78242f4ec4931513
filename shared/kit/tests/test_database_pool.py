"""The connection pool: a pooled connection the database dropped is replaced before use, no request sees the error."""

import pytest
from konnect_kit.db import Database, ReadQuery
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


async def test_a_reader_whose_connection_died_gives_it_up_and_the_next_read_works(fresh_database):
    database = Database(fresh_database, pool_size=1, max_overflow=0)
    other = Database(fresh_database, pool_size=1, max_overflow=0)
    pid = ReadQuery(text("SELECT pg_backend_pid()"))
    try:
        async with database.read() as reader:
            first = await reader.value(pid)
        async with other.transaction() as session:
            await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        with pytest.raises(Exception):  # noqa: B017 (asyncpg's or the OS's connection error)
            async with database.read() as reader:
                await reader.value(pid)
        async with database.read() as reader:
            assert await reader.value(pid) != first
    finally:
        await database.dispose()
        await other.dispose()
