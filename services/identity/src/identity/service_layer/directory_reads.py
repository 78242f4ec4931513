"""Directory reads for admins and ERP systems: one record by id, or a page of an organisation's records.

Each record kind is described once (its table, id column and list order); another tenant's record answers
like a missing one, so ids do not reveal what exists elsewhere.
"""

from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.internal import Caller
from konnect_kit.tenancy import managing_scope, not_found, require_managed

from identity.db import directory_records as records
from identity.service_layer.directory import require_organisation

REFUSAL = "The directory is for organisation admins and ERP systems."
KINDS = ("location", "group", "staff", "family", "parent", "child", "placement", "consent_kind")


async def _with_groups(session: Session, kind: str, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if kind == "staff":
        for record in found:
            record["group_ids"] = await records.group_ids_of_staff(session, record["staff_id"])
    return found


async def _one(session: Session, who: Caller, kind: str, key: dict[str, Any]) -> dict[str, Any]:
    scope = managing_scope(who, refusal=REFUSAL)
    # Another tenant's record answers like a missing one: ids do not reveal what exists elsewhere.
    found = await records.record_in_scope(session, kind, key, scope)
    if found is None:
        raise not_found()
    return (await _with_groups(session, kind, [found]))[0]


async def one(session: Session, who: Caller, kind: str, record_id: UUID) -> dict[str, Any]:
    """One record of `kind` (one of KINDS) by its id, if inside the caller's scope."""
    return await _one(session, who, kind, {records.KINDS[kind].id_column: record_id})


async def consent_kind(session: Session, who: Caller, organisation_id: UUID, key: str) -> dict[str, Any]:
    return await _one(session, who, "consent_kind", {"organisation_id": organisation_id, "key": key})


async def page(session: Session, who: Caller, kind: str, organisation_id: UUID, limit: int, offset: int,
               **filters: UUID | None) -> tuple[list[dict[str, Any]], int | None]:
    """A page of the organisation's records in the kind's order, and the next offset (None: the last page).

    `filters` are equality filters on columns; a None value means "no filter".
    """
    require_managed(who, organisation_id, refusal=REFUSAL)
    await require_organisation(session, organisation_id)
    found = await records.records_page(session, kind, organisation_id,
                                       {column: value for column, value in filters.items() if value},
                                       limit + 1, offset)
    return await _with_groups(session, kind, found[:limit]), (offset + limit if len(found) > limit else None)
