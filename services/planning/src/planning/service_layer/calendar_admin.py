"""Calendar settings upserts inside one unit of work: tenancy, references and versions (same data, no change)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from konnect_kit.errors import ApiError
from sqlalchemy import Row, Table, and_, func, select, true
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from planning.db.calendar import day_parts, directory_groups
from planning.db.models import directory_organisations


@dataclass(frozen=True)
class Upserted:
    version: int
    changed: bool


async def require_organisation(session: AsyncSession, organisation_id: UUID) -> Row:
    row = (await session.execute(select(directory_organisations).where(
        directory_organisations.c.organisation_id == organisation_id))).first()
    if row is None:
        raise ApiError(404, "not_found", "Planning does not know this organisation (yet).",
                       {"organisation_id": str(organisation_id)})
    return row


async def require_group(session: AsyncSession, group_id: UUID) -> Row:
    row = (await session.execute(select(directory_groups).where(
        directory_groups.c.group_id == group_id, ~directory_groups.c.deleted))).first()
    if row is None:
        raise ApiError(404, "not_found", "Planning does not know this group (yet).", {"group_id": str(group_id)})
    return row


async def require_day_part_of(session: AsyncSession, day_part_id: UUID, organisation_id: UUID,
                              care_type: str | None = None) -> Row:
    """A day part used in a capacity must be the same organisation's (and fit the group's care type)."""
    row = (await session.execute(select(day_parts).where(day_parts.c.day_part_id == day_part_id))).first()
    if row is None or row.organisation_id != organisation_id:
        raise ApiError(422, "unknown_reference", "day_part_id does not name a day part of this organisation.",
                       {"field": "day_part_id", "value": str(day_part_id)})
    if care_type is not None and row.care_type != care_type:
        raise ApiError(422, "care_type_mismatch", "The day part is of another care type than the group.",
                       {"day_part_care_type": row.care_type, "group_care_type": care_type})
    return row


async def upsert(session: AsyncSession, table: Table, key: Mapping[str, Any], values: Mapping[str, Any],
                 *, organisation_id: UUID | None = None) -> Upserted:
    """Insert or update one row; the same data again keeps the version and writes nothing.

    With `organisation_id`, only that organisation's row is read or changed: a key another organisation
    uses answers 404, like a key that does not exist.
    """
    where = and_(*(table.c[column] == value for column, value in key.items()))
    mine = true() if organisation_id is None else table.c.organisation_id == organisation_id
    row = (await session.execute(select(table).where(where, mine).with_for_update())).first()
    if row is not None and all(row._mapping[c] == v for c, v in values.items()):
        return Upserted(row.version, changed=False)
    version = 1 if row is None else row.version + 1
    changes = {**values, "version": version, "updated_at": func.now()}
    if organisation_id is not None:
        changes["organisation_id"] = organisation_id
    written = (await session.execute(insert(table).values({**key, **changes}).on_conflict_do_update(
        index_elements=list(key), set_=changes, where=mine).returning(table.c.version))).first()
    if written is None:
        raise ApiError(404, "not_found", "No such record.")
    return Upserted(version, changed=True)
