"""Statements shared by units of work (Session) and hot read paths (Reader): written once, run on either handle."""

from typing import Any

from konnect_kit.db import Reader, ReadQuery
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ClauseElement

# What a shared db/ function runs on: the caller's unit of work (a writing use case checks access and reads in
# its own transaction) or a read-only route's Reader (no ORM session, no BEGIN/COMMIT: the screens' hot path).
Handle = AsyncSession | Reader


class Query:
    """One statement in both forms: the SQLAlchemy statement for a Session, compiled once for a Reader.

    The statement must name its values with `bindparam`/`:name` (no inline literals that differ per call) and
    use `= ANY(:values)` for lists; its result columns must need no SQLAlchemy result processing (a Reader
    returns asyncpg's values as they are), so both handles give the same rows.
    """

    __slots__ = ("read", "statement")

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self.read = ReadQuery(statement)


async def first(db: Handle, query: Query, **values: Any) -> Any:
    """The first row (attribute access by column name), or None."""
    if isinstance(db, Reader):
        return await db.row(query.read, **values)
    return (await db.execute(query.statement, values)).first()
