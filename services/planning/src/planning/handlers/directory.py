"""Keeps planning's copy of directory facts current from identity's events (versions only move forward)."""

from typing import Any

from konnect_contracts.events.directory import (
    ChildUpserted,
    FamilyUpserted,
    GroupUpserted,
    LocationUpserted,
    OrganisationUpserted,
    ParentUpserted,
    PlacementUpserted,
)
from konnect_kit.consumer import EventContext, Handlers
from konnect_kit.read_models import upsert_if_newer
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from planning.db.calendar import (
    directory_children,
    directory_families,
    directory_groups,
    directory_locations,
    directory_parents,
    directory_placements,
)
from planning.db.models import directory_organisations as orgs


async def organisation_upserted(ctx: EventContext, event: OrganisationUpserted) -> None:
    await upsert_if_newer(ctx.session, orgs, {"organisation_id": event.organisation_id},
                          {"name": event.name, "time_zone": event.time_zone, "version": event.version})


async def upsert_read_model(session: AsyncSession, table: Table, key: dict[str, Any], event: Any,
                            values: dict[str, Any]) -> None:
    """Insert or update one read-model row when the event is newer than what we hold.

    Deleted records stay as tombstones (deleted=true): a late, older upsert can then not bring them back.
    """
    await upsert_if_newer(session, table, key, {**values, "organisation_id": event.organisation_id,
                                                "version": event.version, "deleted": event.deleted})


async def location_upserted(ctx: EventContext, event: LocationUpserted) -> None:
    await upsert_read_model(ctx.session, directory_locations, {"location_id": event.location_id}, event,
                            {"name": event.name})


async def group_upserted(ctx: EventContext, event: GroupUpserted) -> None:
    await upsert_read_model(ctx.session, directory_groups, {"group_id": event.group_id}, event,
                            {"location_id": event.location_id, "name": event.name, "care_type": event.care_type})


async def family_upserted(ctx: EventContext, event: FamilyUpserted) -> None:
    # parent_account_ids is a snapshot; ParentUpserted (with family_id) is the authoritative link.
    await upsert_read_model(ctx.session, directory_families, {"family_id": event.family_id}, event,
                            {"name": event.name})


async def parent_upserted(ctx: EventContext, event: ParentUpserted) -> None:
    await upsert_read_model(ctx.session, directory_parents, {"account_id": event.account_id}, event,
                            {"family_id": event.family_id, "name": event.name})


async def child_upserted(ctx: EventContext, event: ChildUpserted) -> None:
    await upsert_read_model(ctx.session, directory_children, {"child_id": event.child_id}, event,
                            {"family_id": event.family_id, "first_name": event.first_name,
                             "last_name": event.last_name})


async def placement_upserted(ctx: EventContext, event: PlacementUpserted) -> None:
    pattern = [slot.model_dump(mode="json") for slot in event.weekly_pattern]
    await upsert_read_model(ctx.session, directory_placements, {"placement_id": event.placement_id}, event, {
        "child_id": event.child_id, "family_id": event.family_id, "group_id": event.group_id,
        "location_id": event.location_id, "care_type": event.care_type, "starts_on": event.starts_on,
        "ends_on": event.ends_on, "weekly_pattern": pattern,
    })


HANDLERS: Handlers = {
    OrganisationUpserted: organisation_upserted, LocationUpserted: location_upserted, GroupUpserted: group_upserted,
    FamilyUpserted: family_upserted, ParentUpserted: parent_upserted, ChildUpserted: child_upserted,
    PlacementUpserted: placement_upserted,
}
