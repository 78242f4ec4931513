"""Read models kept from other services' events: the one version-guarded upsert every consumer uses.

Versions only move forward: an older upsert arriving late (a replay, a redelivery after a newer event)
never overwrites a newer row, and a deleted record stays as a tombstone (`deleted`/inactive columns are the
caller's values) so such a late upsert cannot bring it back either.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


async def upsert_if_newer(session: AsyncSession, table: Table, key: Mapping[str, Any],
                          values: Mapping[str, Any]) -> None:
    """Insert the row, or update it when `values["version"]` is newer than the stored version.

    `key` names the primary-key columns; a table with an `updated_at` column gets it stamped on update.
    """
    changes = dict(values)
    version = changes["version"]
    on_update = {**changes, "updated_at": func.now()} if "updated_at" in table.c else changes
    await session.execute(
        insert(table).values(**key, **changes)
        .on_conflict_do_update(index_elements=list(key), set_=on_update, where=table.c.version < version)
    )
