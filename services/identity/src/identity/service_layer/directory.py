"""Directory upserts inside one unit of work: ownership, references, versioning and the ERP-id check."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.domain_errors import Conflict, DomainError, Invalid, NotFound
from konnect_kit.tenancy import not_found

from identity.db import directory_records as records
from identity.db.organisations import Organisation, organisation
from identity.domain.directory import next_version


@dataclass(frozen=True)
class Upserted:
    version: int
    changed: bool


async def require_organisation(session: Session, organisation_id: UUID) -> Organisation:
    found = await organisation(session, organisation_id)
    if found is None:
        raise NotFound("not_found", "No such organisation.", {"organisation_id": str(organisation_id)})
    return found


async def require_reference(session: Session, kind: str, ref_id: UUID, organisation_id: UUID,
                            field: str) -> dict[str, Any]:
    """A referenced record (of `kind`) must exist in the same organisation: tenants never point into each other."""
    found = await records.reference(session, kind, ref_id, organisation_id)
    if found is None:
        raise Invalid("unknown_reference", f"{field} does not name a record of this organisation.",
                       {"field": field, "value": str(ref_id)})
    return found


async def upsert_record(
    session: Session,
    kind: str,
    key: Mapping[str, Any],
    organisation_id: UUID,
    values: Mapping[str, Any],
    *,
    links: tuple[Any, Any] = (None, None),
    stamp: Mapping[str, Any] | None = None,
    stamp_now: tuple[str, ...] = (),
) -> Upserted:
    """Insert or update one record of `kind` (a key of `identity.db.directory_records.KINDS`).

    `links` = (current, proposed) state kept outside the row (staff groups) that also counts as data;
    `stamp` = columns written with a change but never compared (who changed it); `stamp_now` = such columns
    set to the database's time (when).
    """
    row = await records.lock_record(session, kind, key, organisation_id)
    current = None if row is None else {**{c: row[c] for c in values}, "_links": links[0]}
    version = next_version(current, row["version"] if row else 0, {**values, "_links": links[1]})
    if row is not None and version == row["version"]:
        return Upserted(version, changed=False)  # the same data again: no write, no event
    external_id = values.get("external_id")
    if external_id is not None and await records.external_id_used(session, kind, organisation_id, external_id, key):
        raise _external_id_taken(external_id)
    written = await records.write_record(session, kind, key, organisation_id,
                                         {**values, **(stamp or {}), "version": version}, now_columns=stamp_now)
    if written == "external_id_taken":
        raise _external_id_taken(external_id)
    if written == "other_tenant":
        # The update applies to this organisation's row only: an id another organisation uses updates nothing,
        # and the caller hears what it would hear of an id that does not exist.
        raise not_found()
    return Upserted(version, changed=True)


def _external_id_taken(external_id: Any) -> DomainError:
    return Conflict("external_id_taken", "Another record of this kind in the organisation has this external id.",
                    {"external_id": external_id})
