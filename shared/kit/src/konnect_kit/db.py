"""Async database access: one engine per service, sessions that commit on success and roll back otherwise."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


class Database:
    def __init__(self, url: str, *, pool_size: int = 20, max_overflow: int = 20) -> None:
        self.url = url
        self.engine: AsyncEngine = create_async_engine(
            url, pool_size=pool_size, max_overflow=max_overflow, pool_pre_ping=True
        )
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: commits when the block ends normally, rolls back on any exception."""
        async with self._sessions() as session, session.begin():
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    """The plain libpq-style DSN asyncpg wants (without SQLAlchemy's '+asyncpg' driver tag)."""
    return sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def raw_connection(session: AsyncSession) -> asyncpg.Connection:
    """The session's asyncpg connection, inside the session's transaction (for hot-path bulk statements).

    SQLAlchemy's asyncpg adapter opens the database transaction lazily, on its first statement; a
    statement sent straight to asyncpg before that would run in autocommit, outside the unit of work.
    """
    connection = await session.connection()
    await connection.exec_driver_sql("SELECT 1")
    return (await connection.get_raw_connection()).driver_connection


# The unit-of-work handle as routes and service layers see it: a route passes it on to the service layer, the
# service layer passes it on to db/ query functions, and neither runs a statement itself (import-linter forbids
# both to import SQLAlchemy; see the root pyproject.toml).
Session = AsyncSession
