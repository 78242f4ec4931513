"""Publish the current state of an organisation's directory again, so a new or rebuilt read model catches up.

Events carry each record's current version: consumers that already have it ignore them (their version
guards), consumers that lack a record insert it. Nothing in identity changes.
"""

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from konnect_contracts.envelope import EventPayload
from konnect_contracts.events.directory import (
    ChildUpserted,
    FamilyUpserted,
    GroupUpserted,
    LocationUpserted,
    OrganisationUpserted,
    ParentUpserted,
    PlacementUpserted,
    StaffUpserted,
)
from konnect_kit.db import Session
from konnect_kit.outbox import Outbox

from identity.db import directory_records as records
from identity.db.organisations import organisation

Record = dict[str, Any]
Extra = Callable[[Session, Record], Awaitable[dict[str, Any]]]


async def _staff_extra(session: Session, row: Record) -> dict[str, Any]:
    group_ids = await records.group_ids_of_staff(session, row["staff_id"])
    return {"account_id": row["staff_id"] if row["email"] else None, "group_ids": tuple(group_ids)}


async def _family_extra(session: Session, row: Record) -> dict[str, Any]:
    ids = await records.parent_ids_of_family(session, row["family_id"])
    return {"parent_account_ids": tuple(sorted(ids, key=str))}


async def _parent_extra(_: Session, row: Record) -> dict[str, Any]:
    return {"account_id": row["parent_id"]}


async def _child_extra(session: Session, row: Record) -> dict[str, Any]:
    return {"photo_consent": await records.photo_consent(session, row["child_id"])}


async def _placement_extra(session: Session, row: Record) -> dict[str, Any]:
    return {"family_id": await records.family_of_child(session, row["child_id"]),
            "location_id": await records.location_of_group(session, row["group_id"])}


async def _nothing(_: Session, __: Record) -> dict[str, Any]:
    return {}


# In dependency order, so a consumer meets a group before the placements that point at it.
KINDS: list[tuple[str, str, type[EventPayload], Extra]] = [
    ("locations", "location", LocationUpserted, _nothing),
    ("groups", "group", GroupUpserted, _nothing),
    ("staff", "staff", StaffUpserted, _staff_extra),
    ("families", "family", FamilyUpserted, _family_extra),
    ("parents", "parent", ParentUpserted, _parent_extra),
    ("children", "child", ChildUpserted, _child_extra),
    ("placements", "placement", PlacementUpserted, _placement_extra),
]


async def republish_directory(session: Session, outbox: Outbox, organisation_id: UUID) -> dict[str, int]:
    """Outbox events for every record of the organisation; returns how many per kind."""
    org = await organisation(session, organisation_id)
    assert org is not None  # the caller checked it exists
    await outbox.publish(session, OrganisationUpserted(
        organisation_id=org.organisation_id, name=org.name, time_zone=org.time_zone, external_id=org.external_id,
        email=org.email, logo_url=org.logo_url, version=org.version))
    counts = {"organisations": 1}
    for name, kind, event_type, extra in KINDS:
        rows = await records.records_of(session, kind, organisation_id)
        for row in rows:
            fields = {k: v for k, v in row.items() if k in event_type.model_fields}
            await outbox.publish(session, event_type(**fields, **await extra(session, row)),
                                 organisation_id=organisation_id)
        counts[name] = len(rows)
    return counts
