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
from konnect_kit.outbox import Outbox
from sqlalchemy import Row, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.directory import (
    children,
    consents,
    families,
    groups,
    locations,
    parents,
    placements,
    staff,
    staff_groups,
)
from identity.db.models import organisations

Extra = Callable[[AsyncSession, Row], Awaitable[dict[str, Any]]]


async def _staff_extra(session: AsyncSession, row: Row) -> dict[str, Any]:
    group_ids = (await session.scalars(select(staff_groups.c.group_id)
                                       .where(staff_groups.c.staff_id == row.staff_id))).all()
    return {"account_id": row.staff_id if row.email else None, "group_ids": tuple(sorted(group_ids, key=str))}


async def _family_extra(session: AsyncSession, row: Row) -> dict[str, Any]:
    ids = (await session.scalars(select(parents.c.parent_id).where(parents.c.family_id == row.family_id))).all()
    return {"parent_account_ids": tuple(sorted(ids, key=str))}


async def _parent_extra(_: AsyncSession, row: Row) -> dict[str, Any]:
    return {"account_id": row.parent_id}


async def _child_extra(session: AsyncSession, row: Row) -> dict[str, Any]:
    granted = await session.scalar(select(consents.c.granted).where(
        consents.c.child_id == row.child_id, consents.c.kind_key == "photo_sharing"))
    return {"photo_consent": bool(granted)}


async def _placement_extra(session: AsyncSession, row: Row) -> dict[str, Any]:
    family_id = await session.scalar(select(children.c.family_id).where(children.c.child_id == row.child_id))
    location_id = await session.scalar(select(groups.c.location_id).where(groups.c.group_id == row.group_id))
    return {"family_id": family_id, "location_id": location_id}


async def _nothing(_: AsyncSession, __: Row) -> dict[str, Any]:
    return {}


# In dependency order, so a consumer meets a group before the placements that point at it.
KINDS: list[tuple[str, Table, type[EventPayload], Extra]] = [
    ("locations", locations, LocationUpserted, _nothing),
    ("groups", groups, GroupUpserted, _nothing),
    ("staff", staff, StaffUpserted, _staff_extra),
    ("families", families, FamilyUpserted, _family_extra),
    ("parents", parents, ParentUpserted, _parent_extra),
    ("children", children, ChildUpserted, _child_extra),
    ("placements", placements, PlacementUpserted, _placement_extra),
]


async def republish_directory(session: AsyncSession, outbox: Outbox, organisation_id: UUID) -> dict[str, int]:
    """Outbox events for every record of the organisation; returns how many per kind."""
    org = (await session.execute(select(organisations)
                                 .where(organisations.c.organisation_id == organisation_id))).one()
    await outbox.publish(session, OrganisationUpserted(
        organisation_id=org.organisation_id, name=org.name, time_zone=org.time_zone, external_id=org.external_id,
        version=org.version))
    counts = {"organisations": 1}
    for kind, table, event_type, extra in KINDS:
        rows = (await session.execute(select(table).where(table.c.organisation_id == organisation_id))).all()
        for row in rows:
            fields = {k: v for k, v in row._mapping.items() if k in event_type.model_fields}
            await outbox.publish(session, event_type(**fields, **await extra(session, row)),
                                 organisation_id=organisation_id)
        counts[kind] = len(rows)
    return counts
