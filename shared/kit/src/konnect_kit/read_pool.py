"""The connections hot reads run on: plain asyncpg connections, taken and given back per statement at no cost."""

import asyncio
import json
from typing import Any

import asyncpg
import orjson

# A run of 19 digits or more, anywhere in the text (digits mapped to "0", then one search: ~1 us for a 3 KB value).
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_LONG_RUN = b"0" * 19


def json_value(raw: bytes) -> Any:
    """A JSON text from PostgreSQL decoded to exactly what `json.loads` gives, ~3x faster.

    orjson is exact but for integers beyond 64 bits, which it turns into floats without a word: every integer of up
    to 18 digits fits, so a text with a run of 19 digits or more (a long integer, or only digits in a string) is left
    to `json.loads`, as is one orjson refuses (a lone surrogate, a number beyond a double: json.loads gives inf).
    Why: decoding a screen's JSON columns with `json.loads` was ~34 us of availability's ~350 us of CPU per read
    (bench/PROFILE-read-paths.md round 19); `test_json_value.py` compares both on PostgreSQL's own texts."""
    if raw.translate(_DIGITS_AS_ZERO).find(_LONG_RUN) < 0:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json.loads(raw)


async def _decode_json_like_sqlalchemy(connection: asyncpg.Connection) -> None:
    """JSON and JSONB come back decoded, exactly as on the unit of work's (SQLAlchemy's) connections, so a db/
    query gives the same rows on a Reader and on a Session."""
    await connection.set_type_codec("json", schema="pg_catalog", format="binary",
                                    encoder=str.encode, decoder=json_value)
    await connection.set_type_codec("jsonb", schema="pg_catalog", format="binary",
                                    encoder=lambda text: b"\x01" + text.encode(),
                                    decoder=lambda raw: json_value(raw[1:]))


# Every connection of a service runs with PostgreSQL's JIT compiler off. JIT starts for any statement whose
# estimated cost passes `jit_above_cost` (100,000 by default), and a screen's statement at a big organisation
# passes it easily: a staff member's conversation list there took 1.19 s, of which about 1 s was compiling 249
# functions for a statement that runs in 0.18 s (EXPLAIN ANALYZE, bench/PROFILE-read-paths.md round 14).
# Compiling pays off for long analytical queries, never for the short statements a service runs. A startup
# parameter: no round trip, and it holds whatever the server's own configuration says.
SERVER_SETTINGS = {"jit": "off"}


class ReadPool:
    """At most `size` connections; a statement takes an idle one (or opens one) and gives it back right after.

    Why not SQLAlchemy's pool or asyncpg's: checking a connection out of either cost 45-110 us of CPU per read
    (events, greenlets, and asyncpg's reset query, a round trip on every release), more than a small read
    itself. A read-only statement in autocommit leaves no state on its connection, so nothing needs resetting.
    """

    def __init__(self, dsn: str, size: int, *, record_class: type[asyncpg.Record] = asyncpg.Record,
                 connect_timeout: float = 10.0) -> None:
        self._dsn = dsn
        self._record_class = record_class
        self._connect_timeout = connect_timeout
        self._slots = asyncio.Semaphore(size)
        self._idle: list[asyncpg.Connection] = []
        self._closed = False

    async def take(self) -> asyncpg.Connection:
        if self._closed:
            raise RuntimeError("the read pool is closed")
        await self._slots.acquire()
        try:
            while self._idle:
                connection = self._idle.pop()
                if not connection.is_closed():
                    return connection
            return await self._connect()
        except BaseException:
            self._slots.release()
            raise

    def give(self, connection: asyncpg.Connection, *, reusable: bool) -> None:
        """Back to the idle list; `reusable=False` (a cancelled or broken statement) closes it instead."""
        if reusable and not self._closed and not connection.is_closed():
            self._idle.append(connection)
        else:
            connection.terminate()
        self._slots.release()

    def forget_idle(self) -> None:
        """Drop every idle connection: one was found dead, so the server restarted or timed them out."""
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.terminate()

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        await asyncio.gather(*(connection.close(timeout=5) for connection in idle), return_exceptions=True)

    async def _connect(self) -> asyncpg.Connection:
        connection = await asyncpg.connect(self._dsn, timeout=self._connect_timeout,
                                           record_class=self._record_class, server_settings=SERVER_SETTINGS)
        try:
            await _decode_json_like_sqlalchemy(connection)
        except BaseException:
            connection.terminate()
            raise
        return connection

    async def run(self, method: str, sql: str, arguments: list[Any]) -> Any:
        """`connection.<method>(sql, *arguments)` on a pooled connection. A connection the server dropped while it
        sat idle (restart, idle timeout) costs no error: the idle ones are dropped and the read runs once more
        on a new connection (a read is safe to repeat)."""
        for attempt in (1, 2):
            connection = await self.take()
            try:
                result = await getattr(connection, method)(sql, *arguments)
            except asyncpg.PostgresError:
                # The statement failed (bad value, timeout, ...) but the connection is fine, unless the server
                # ended the session (admin shutdown): then it is closed and this is the retry case below.
                if not connection.is_closed():
                    self.give(connection, reusable=True)
                    raise
                self.give(connection, reusable=False)
                if attempt == 2:
                    raise
            except (asyncpg.InterfaceError, asyncpg.InternalClientError, OSError):
                # How asyncpg reports a connection the server ended while it sat idle: closed, reset, or (when the
                # server's goodbye message is read first) "cannot switch to state ..., another operation is in
                # progress".
                self.give(connection, reusable=False)
                if attempt == 2:
                    raise
            except BaseException:
                # Cancelled mid-statement (client gone, shutdown) or an unexpected error: the connection may still
                # be busy with the statement, so it is not reused.
                self.give(connection, reusable=False)
                raise
            else:
                self.give(connection, reusable=True)
                return result
            self.forget_idle()
        raise AssertionError("unreachable")
