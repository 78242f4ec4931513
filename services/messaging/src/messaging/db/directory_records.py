"""One live directory record of an organisation (not deleted), by any of its columns: the lookup the conversation
and participation queries share."""

from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from sqlalchemy import ColumnElement, Table, select


async def live_record(session: Session, table: Table, organisation_id: UUID, *where: ColumnElement[bool]) -> Any:
    """The row of `table` in this organisation matching `where`, unless deleted (None otherwise)."""
    c = table.c
    return (await session.execute(select(table).where(
        *where, c.organisation_id == organisation_id, ~c.deleted))).first()
