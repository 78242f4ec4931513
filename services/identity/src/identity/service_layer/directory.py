"""Directory upserts inside one unit of work: ownership, references, versioning and the ERP-id check."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from konnect_kit.domain_errors import Conflict, DomainError, Invalid, NotFound
from konnect_kit.tenancy import not_found
from sqlalchemy import Row, Table, and_, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.models import organisations
from identity.domain.directory import next_version


@dataclass(frozen=True)
class Upserted:
    version: int
    changed: bool


async def require_organisation(session: AsyncSession, organisation_id: UUID) -> Row:
    row = (
        await session.execute(select(organisations).where(organisations.c.organisation_id == organisation_id))
    ).first()
    if row is None:
        raise NotFound("not_found", "No such organisation.", {"organisation_id": str(organisation_id)})
    return row


async def require_reference(
    session: AsyncSession, table: Table, id_column: str, ref_id: UUID, organisation_id: UUID, field: str
) -> Row:
    """A referenced record must exist in the same organisation: tenants never point into each other."""
    row = (
        await session.execute(
            select(table).where(table.c[id_column] == ref_id, table.c.organisation_id == organisation_id)
        )
    ).first()
    if row is None:
        raise Invalid("unknown_reference", f"{field} does not name a record of this organisation.",
                       {"field": field, "value": str(ref_id)})
    return row


async def upsert_record(
    session: AsyncSession,
    table: Table,
    key: Mapping[str, Any],
    organisation_id: UUID,
    values: Mapping[str, Any],
    *,
    links: tuple[Any, Any] = (None, None),
    stamp: Mapping[str, Any] | None = None,
) -> Upserted:
    """Insert or update one record.

    `links` = (current, proposed) state kept outside the row (staff groups) that also counts as data;
    `stamp` = columns written with a change but never compared (who changed it, and when).
    """
    where = and_(*(table.c[column] == value for column, value in key.items()))
    mine = table.c.organisation_id == organisation_id
    row = (await session.execute(select(table).where(where, mine).with_for_update())).first()
    current = None if row is None else {**{c: row._mapping[c] for c in values}, "_links": links[0]}
    version = next_version(current, row.version if row else 0, {**values, "_links": links[1]})
    if row is not None and version == row.version:
        return Upserted(version, changed=False)  # the same data again: no write, no event
    external_id = values.get("external_id")
    if external_id is not None:
        taken = await session.scalar(
            select(func.count()).select_from(table).where(
                table.c.organisation_id == organisation_id, table.c.external_id == external_id, ~where
            )
        )
        if taken:
            raise _external_id_taken(external_id)
    changes = {**values, **(stamp or {}), "version": version, "updated_at": func.now()}
    statement = insert(table).values({**key, "organisation_id": organisation_id, **changes})
    # The update applies to this organisation's row only: an id another organisation uses updates nothing,
    # and the caller hears what it would hear of an id that does not exist.
    statement = statement.on_conflict_do_update(index_elements=list(key), set_=changes, where=mine)
    try:
        written = (await session.execute(statement.returning(table.c.version))).first()
    except IntegrityError as exc:  # a concurrent writer took the ERP id between our check and this insert
        if "external_id_key" in str(exc):
            raise _external_id_taken(external_id) from exc
        raise
    if written is None:
        raise not_found()
    return Upserted(version, changed=True)


def _external_id_taken(external_id: Any) -> DomainError:
    return Conflict("external_id_taken", "Another record of this kind in the organisation has this external id.",
                    {"external_id": external_id})
