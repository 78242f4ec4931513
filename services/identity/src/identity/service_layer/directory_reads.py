"""Directory reads for admins and ERP systems: one record by id, or a page of an organisation's records.

Each record kind is described once (its table, id column and list order); another tenant's record answers
like a missing one, so ids do not reveal what exists elsewhere.
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from konnect_kit.internal import Caller
from konnect_kit.tenancy import managing_scope, not_found, require_managed
from sqlalchemy import ColumnElement, Row, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.directory import (
    children,
    consent_kinds,
    families,
    groups,
    locations,
    parents,
    placements,
    staff,
    staff_groups,
)
from identity.service_layer.directory import require_organisation

REFUSAL = "The directory is for organisation admins and ERP systems."


@dataclass(frozen=True)
class Kind:
    table: Table
    id_column: str
    order: tuple[str, ...]


KINDS = {
    "location": Kind(locations, "location_id", ("name", "location_id")),
    "group": Kind(groups, "group_id", ("name", "group_id")),
    "staff": Kind(staff, "staff_id", ("name", "staff_id")),
    "family": Kind(families, "family_id", ("name", "family_id")),
    "parent": Kind(parents, "parent_id", ("name", "parent_id")),
    "child": Kind(children, "child_id", ("last_name", "first_name", "child_id")),
    "placement": Kind(placements, "placement_id", ("starts_on", "placement_id")),
    "consent_kind": Kind(consent_kinds, "key", ("key",)),
}


async def _with_groups(session: AsyncSession, kind: str, rows: list[Row]) -> list[dict[str, Any]]:
    records = [dict(row._mapping) for row in rows]
    if kind == "staff":
        for record in records:
            query = select(staff_groups.c.group_id).where(staff_groups.c.staff_id == record["staff_id"])
            record["group_ids"] = list((await session.scalars(query)).all())
    return records


async def _one(session: AsyncSession, who: Caller, kind: str, where: ColumnElement[bool]) -> dict[str, Any]:
    table = KINDS[kind].table
    scope = managing_scope(who, refusal=REFUSAL)
    # Another tenant's record answers like a missing one: ids do not reveal what exists elsewhere.
    row = (await session.execute(select(table).where(where, scope.clause(table.c.organisation_id)))).first()
    if row is None:
        raise not_found()
    return (await _with_groups(session, kind, [row]))[0]


async def one(session: AsyncSession, who: Caller, kind: str, record_id: UUID) -> dict[str, Any]:
    """One record of `kind` (a key of KINDS) by its id, if inside the caller's scope."""
    spec = KINDS[kind]
    return await _one(session, who, kind, spec.table.c[spec.id_column] == record_id)


async def consent_kind(session: AsyncSession, who: Caller, organisation_id: UUID, key: str) -> dict[str, Any]:
    where = (consent_kinds.c.organisation_id == organisation_id) & (consent_kinds.c.key == key)
    return await _one(session, who, "consent_kind", where)


async def page(session: AsyncSession, who: Caller, kind: str, organisation_id: UUID, limit: int, offset: int,
               **filters: UUID | None) -> tuple[list[dict[str, Any]], int | None]:
    """A page of the organisation's records in the kind's order, and the next offset (None: the last page).

    `filters` are equality filters on columns; a None value means "no filter".
    """
    spec = KINDS[kind]
    table = spec.table
    require_managed(who, organisation_id, refusal=REFUSAL)
    await require_organisation(session, organisation_id)
    wheres = [table.c[column] == value for column, value in filters.items() if value]
    query = (select(table).where(table.c.organisation_id == organisation_id, *wheres)
             .order_by(*(table.c[column] for column in spec.order)))
    rows = list((await session.execute(query.limit(limit + 1).offset(offset))).all())
    return await _with_groups(session, kind, rows[:limit]), (offset + limit if len(rows) > limit else None)
