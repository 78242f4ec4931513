"""The connection pool: a pooled connection the database dropped is replaced before use, no request sees the error."""

from konnect_kit.db import Database
from sqlalchemy import text


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
