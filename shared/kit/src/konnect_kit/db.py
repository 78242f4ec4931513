"""Async database access: one engine per service, sessions that commit on success and roll back otherwise."""

import functools
import time
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy import JSON, Column, Table, event, exc, select, text
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import ScalarSelect

from konnect_kit.read_pool import SERVER_SETTINGS, ReadPool

# A pooled connection idle longer than this is pinged before use (the database may have restarted meanwhile).
IDLE_PING_SECONDS = 10.0


class Database:
    def __init__(self, url: str, *, pool_size: int = 20, max_overflow: int = 20,
                 idle_ping_seconds: float = IDLE_PING_SECONDS) -> None:
        self.url = url
        # No pool_pre_ping: with asyncpg it costs three round trips (BEGIN, ';', ROLLBACK) on every checkout,
        # more than most reads themselves (bench/read_paths.py, py-spy). A connection back in the pool within
        # the last seconds was just used successfully; only longer-idle ones are pinged (ping_if_idle).
        self.engine: AsyncEngine = create_async_engine(url, pool_size=pool_size, max_overflow=max_overflow,
                                                       connect_args={"server_settings": dict(SERVER_SETTINGS)})
        _ping_idle_connections(self.engine, idle_ping_seconds)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # Hot reads run on their own plain connections (see ReadPool); the engine serves units of work.
        self.reader = Reader(ReadPool(asyncpg_dsn(url), pool_size, record_class=Row))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A unit of work: commits when the block ends normally, rolls back on any exception."""
        async with self._sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator["Reader"]:
        """The database's `Reader`, for a read-only use case outside a route (a route takes `ReaderDep`)."""
        yield self.reader

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.reader.pool.close()
        await self.engine.dispose()


def _ping_idle_connections(engine: AsyncEngine, idle_seconds: float) -> None:
    """SQLAlchemy's custom pessimistic disconnect handling: a failed ping discards the connection and the pool
    hands out another one, so a database restart costs no request an error."""

    @event.listens_for(engine.sync_engine, "checkin")
    def returned(_: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: Any, _: Any) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < idle_seconds:
            return  # new (just connected) or recently used
        try:
            dbapi_connection.ping()
        except Exception as error:
            raise exc.DisconnectionError() from error


_SERIALIZATION_FAILURE = "40001"


def serialization_failure(error: BaseException | None) -> bool:
    """Whether a REPEATABLE READ unit of work lost to a concurrent change (retry it from a newer snapshot), through
    SQLAlchemy's and the driver's wrappers."""
    while error is not None:
        if getattr(error, "sqlstate", None) == _SERIALIZATION_FAILURE:
            return True
        error = error.__cause__ or getattr(error, "orig", None)
    return False


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    """The plain libpq-style DSN asyncpg wants (without SQLAlchemy's '+asyncpg' driver tag)."""
    return sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://", 1)


_ASYNCPG = asyncpg_dialect()


def opaque(value: BindParameter[Any]) -> ScalarSelect[Any]:
    """`value` as a subquery `(SELECT $n)`: the planner cannot look into it, in a custom plan or a generic one.

    Why: PostgreSQL plans a prepared statement for its values (a custom plan) five times, then keeps one generic
    plan unless the generic plan's estimated cost is higher than the custom plans' average. A value whose
    statistics make its custom plan look cheaper (an organisation with few conversations beside one with
    100,000) keeps the statement planned again on every execution: the unread badge and the conversation list
    spent 60-75% of PostgreSQL's time per read in the planner for the same plan (bench/PROFILE-read-paths.md,
    round 13). Seen through a subquery, both estimates are the generic one and the generic plan is kept.
    Use it where the value only narrows an index scan; a value the plan's shape should depend on stays bare.
    The type must be bound (`bindparam(..., type_=Uuid)`): PostgreSQL infers none through the subquery.
    """
    return select(value).scalar_subquery()


class ReadQuery:
    """A read statement compiled once to asyncpg's SQL (`$1`, `$2`, ...), run by a `Reader`.

    Why: a hot read through an ORM session costs SQLAlchemy's per-call execution machinery plus BEGIN and
    COMMIT; /me went from 917 to 247 us of CPU per call on the same two statements run this way
    (bench/PROFILE-read-paths.md, round 3). The statement is still written with SQLAlchemy Core (or text())
    in the service's db/ modules; only its execution is lean. Values bound in the statement itself (literals)
    keep their compiled value; lists (`expanding` IN parameters) are not supported: use `= ANY(:values)`.
    """

    __slots__ = ("_fixed", "_names", "sql")

    def __init__(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=_ASYNCPG)
        if any(param.expanding for param in compiled.binds.values()):
            raise ValueError("ReadQuery does not take expanding (IN list) parameters; use = ANY(:values)")
        self.sql = str(compiled)
        self._names: tuple[str, ...] = tuple(compiled.positiontup or ())
        self._fixed = {name: value for name, value in compiled.params.items() if value is not None}

    def arguments(self, values: dict[str, Any]) -> list[Any]:
        try:
            return [values[name] if name in values else self._fixed[name] for name in self._names]
        except KeyError as missing:
            raise TypeError(f"ReadQuery needs a value for {missing}") from None


def _column(name: str) -> property:
    """`row.<name>` as a descriptor of the class: found by the ordinary attribute lookup, without the failed
    lookup (an AttributeError raised and caught in C) that reaching `__getattr__` costs first."""

    def value(row: "Row") -> Any:
        try:
            return row[name]
        except KeyError:  # a row of another statement, without this column: as if there were no descriptor
            raise AttributeError(name) from None

    return property(value)


class Row(asyncpg.Record):
    """A result row read by name as an attribute (`row.child_id`), like SQLAlchemy's rows.

    The first read of a column name goes through `__getattr__`, which gives the class a descriptor for that name;
    later reads of it, on any row, take the descriptor. Why: reaching `__getattr__` costs a failed ordinary lookup
    first, about 1 us per attribute against 0.2 us (a feed page of 20 items read ~280 attributes: a fifth of its
    Python; PROFILE-read-paths.md round 16). Names are the statements' column names, a bounded set; a name the
    record class has (`keys`, `get`, ...) or one starting with `_` never gets a descriptor.
    """

    __slots__ = ()

    @property
    def _mapping(self) -> "Row":
        """Read by key, as a SQLAlchemy row's `_mapping` is: callers written for either kind of row work."""
        return self

    def __getattr__(self, name: str) -> Any:
        try:
            value = self[name]
        except KeyError:
            raise AttributeError(name) from None
        if not name.startswith("_"):
            setattr(Row, name, _column(name))
        return value


class Reader:
    """Runs `ReadQuery`s on pooled plain asyncpg connections, each statement on its own (autocommit).

    For reads only, and best for use cases of one statement: two statements see two snapshots (and may run on two
    connections). No ORM objects, no per-call statement compilation, no BEGIN/COMMIT; asyncpg keeps each statement
    prepared per connection.
    """

    __slots__ = ("pool",)

    def __init__(self, pool: ReadPool) -> None:
        self.pool = pool

    async def rows(self, query: ReadQuery, **values: Any) -> list[Row]:
        return await self.pool.run("fetch", query.sql, query.arguments(values))

    async def row(self, query: ReadQuery, **values: Any) -> Row | None:
        return await self.pool.run("fetchrow", query.sql, query.arguments(values))

    async def value(self, query: ReadQuery, **values: Any) -> Any:
        return await self.pool.run("fetchval", query.sql, query.arguments(values))


# What a db/ function shared by a writing use case and a hot read runs on: the use case's unit of work, or a
# read-only route's Reader.
Handle = AsyncSession | Reader


class Query:
    """One statement in both forms: the SQLAlchemy statement for a Session, compiled once for a Reader.

    The statement names its values with `bindparam`/`:name` and uses `= ANY(:values)` for lists; its result
    columns need no SQLAlchemy result processing (a Reader returns asyncpg's values as they are), so both
    handles give the same rows.
    """

    __slots__ = ("read", "statement")

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self.read = ReadQuery(statement)


async def driver(session: AsyncSession) -> asyncpg.Connection:
    """The unit of work's own asyncpg connection, inside its transaction (begun here if no statement began it).

    Why: a statement run through the session costs SQLAlchemy's execution machinery (cache key, execution
    context, result set-up, two greenlet switches) on top of the driver's own work: in-process, a transaction of
    eight one-row statements took 2,250 us of CPU that way, 1,300 us as `exec_driver_sql`, and 610 us run here
    (bench/PROFILE-read-paths.md, round 18). The request saga is a chain of such transactions. Statements run
    here are driver-level SQL (`$1` parameters; asyncpg keeps each prepared per connection) and see and write
    the same transaction: they commit or roll back with the unit of work. Their errors are asyncpg's own
    (`asyncpg.PostgresError`, with `sqlstate`); the HTTP layer answers them as it answers SQLAlchemy's.
    """
    connection = await session.connection()
    adapted = (await connection.get_raw_connection()).dbapi_connection  # SQLAlchemy's asyncpg adapter
    # SQLAlchemy sends BEGIN lazily, just before its first statement; a driver-level statement first needs it
    # now. Begun through the adapter, the transaction stays the session's: its commit and rollback end it.
    if adapted._transaction is None and not adapted.autocommit:  # private: pinned by test_unit_of_work.py
        await adapted._start_transaction()
    return adapted._connection


async def first(db: Handle, query: Query, **values: Any) -> Any:
    """The first row (columns as attributes), or None, on either handle."""
    if isinstance(db, Reader):
        return await db.row(query.read, **values)
    return await (await driver(db)).fetchrow(query.read.sql, *query.read.arguments(values), record_class=Row)


async def mappings(db: Handle, query: Query, **values: Any) -> list[Any]:
    """Every row, its columns read by key (`row["name"]`), on either handle."""
    if isinstance(db, Reader):
        return await db.rows(query.read, **values)
    return await (await driver(db)).fetch(query.read.sql, *query.read.arguments(values), record_class=Row)


# -- rows written driver-level: the table's own columns and types, the SQL text generated once per shape ----------

def _names(names: Iterable[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def all_columns(table: Table) -> str:
    """Every column of `table`, quoted, in its order: the select list of a driver-level statement that reads whole
    rows (as `insert_rows` and `update_row` return them)."""
    return _names(c.name for c in table.c)


def _typed(column: Column[Any], n: int) -> str:
    if isinstance(column.type, JSON):  # SQLAlchemy would serialise the value first; asyncpg's codec takes text
        raise TypeError(f"{column}: JSON columns are not written by insert_rows/update_row")
    return f"${n}::{column.type.compile(dialect=_ASYNCPG)}"


@functools.lru_cache(maxsize=512)
def _insert_sql(table: Table, columns: tuple[str, ...], rows: int, returning: bool) -> str:
    width = len(columns)
    values = ", ".join("(" + ", ".join(_typed(table.c[name], r * width + i + 1) for i, name in enumerate(columns))
                       + ")" for r in range(rows))
    sql = f"INSERT INTO {table.name} ({_names(columns)}) VALUES {values}"
    return sql + (f" RETURNING {all_columns(table)}" if returning else "")


async def insert_rows(session: AsyncSession, table: Table, rows: Sequence[Mapping[str, Any]], *,
                      returning: bool = False) -> list[Row]:
    """`rows` (each with the first row's keys) into `table` in one driver-level statement; with `returning`, every
    column of the rows as stored, in the order given. Values are cast to the columns' types, as SQLAlchemy would."""
    if not rows:
        return []
    columns = tuple(rows[0])
    sql = _insert_sql(table, columns, len(rows), returning)
    arguments = [row[name] for row in rows for name in columns]
    connection = await driver(session)
    if returning:
        return await connection.fetch(sql, *arguments, record_class=Row)
    await connection.execute(sql, *arguments)
    return []


@functools.lru_cache(maxsize=512)
def _update_sql(table: Table, key: str, columns: tuple[str, ...]) -> str:
    assignments = ", ".join(f'"{name}" = {_typed(table.c[name], i + 2)}' for i, name in enumerate(columns))
    return (f'UPDATE {table.name} SET {assignments} WHERE "{key}" = {_typed(table.c[key], 1)} '
            f"RETURNING {all_columns(table)}")


async def update_row(session: AsyncSession, table: Table, key: str, key_value: Any, **values: Any) -> Row | None:
    """Set `values` on the row of `table` whose `key` column is `key_value`, driver-level; the row as it is now
    (every column), or None when there is no such row."""
    sql = _update_sql(table, key, tuple(values))
    return await (await driver(session)).fetchrow(sql, key_value, *values.values(), record_class=Row)


# The unit-of-work handle as routes and service layers see it: a route passes it on to the service layer, the
# service layer passes it on to db/ query functions, and neither runs a statement itself (import-linter forbids
# both to import SQLAlchemy; see the root pyproject.toml).
Session = AsyncSession
