"""Keeps the My location read models (loc_*) current from identity's directory events (versions only move forward)."""

from typing import Any

from konnect_contracts.events.directory import (
    ChildUpserted,
    GroupUpserted,
    LocationUpserted,
    ParentUpserted,
    PlacementUpserted,
    StaffUpserted,
)
from konnect_kit.consumer import EventContext, Handlers
from konnect_kit.read_models import upsert_if_newer
from sqlalchemy import Table

from timeline.db.location import loc_children, loc_groups, loc_locations, loc_parents, loc_placements, loc_staff


async def _upsert(ctx: EventContext, table: Table, key: dict[str, Any], event: Any, values: dict[str, Any]) -> None:
    # Deleted records stay as tombstones (deleted=true) so a late, older upsert cannot bring them back.
    await upsert_if_newer(ctx.session, table, key, {**values, "organisation_id": event.organisation_id,
                                                    "version": event.version, "deleted": event.deleted})


async def location_upserted(ctx: EventContext, event: LocationUpserted) -> None:
    await _upsert(ctx, loc_locations, {"location_id": event.location_id}, event, {
        "name": event.name, "street": event.street, "house_number": event.house_number,
        "postal_code": event.postal_code, "city": event.city, "country": event.country, "phone": event.phone,
        "email": event.email})


async def group_upserted(ctx: EventContext, event: GroupUpserted) -> None:
    await _upsert(ctx, loc_groups, {"group_id": event.group_id}, event,
                  {"location_id": event.location_id, "name": event.name})


async def staff_upserted(ctx: EventContext, event: StaffUpserted) -> None:
    await _upsert(ctx, loc_staff, {"staff_id": event.staff_id}, event, {
        "account_id": event.account_id, "name": event.name, "group_ids": list(event.group_ids), "bio": event.bio,
        "photo_key": event.photo_key, "active": event.active})


async def parent_upserted(ctx: EventContext, event: ParentUpserted) -> None:
    await _upsert(ctx, loc_parents, {"account_id": event.account_id}, event, {"family_id": event.family_id})


async def child_upserted(ctx: EventContext, event: ChildUpserted) -> None:
    await _upsert(ctx, loc_children, {"child_id": event.child_id}, event,
                  {"family_id": event.family_id, "first_name": event.first_name})


async def placement_upserted(ctx: EventContext, event: PlacementUpserted) -> None:
    await _upsert(ctx, loc_placements, {"placement_id": event.placement_id}, event, {
        "child_id": event.child_id, "family_id": event.family_id, "group_id": event.group_id,
        "starts_on": event.starts_on, "ends_on": event.ends_on})


HANDLERS: Handlers = {
    LocationUpserted: location_upserted, GroupUpserted: group_upserted, StaffUpserted: staff_upserted,
    ParentUpserted: parent_upserted, ChildUpserted: child_upserted, PlacementUpserted: placement_upserted,
}
