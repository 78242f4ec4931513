"""Keeps messaging's copy of the directory (families, children, groups, staff, placements) from identity's events.

Who may read and write a conversation is decided from these rows at each call, so an update here (a child
moving group, a parent removed, staff leaving a group) changes access from then on; messages stay untouched.
"""

from typing import Any

from konnect_contracts.events.directory import (
    ChildUpserted,
    GroupUpserted,
    ParentUpserted,
    PlacementUpserted,
    StaffUpserted,
)
from konnect_kit.consumer import EventContext, Handlers
from konnect_kit.read_models import upsert_if_newer
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from messaging.db.models import (
    directory_children,
    directory_groups,
    directory_parents,
    directory_placements,
    directory_staff,
)


async def _upsert(session: AsyncSession, table: Table, key: dict[str, Any], event: Any, values: dict[str, Any]) -> None:
    # Deleted records stay as tombstones (deleted=true): a late, older upsert cannot bring them back.
    await upsert_if_newer(session, table, key, {**values, "organisation_id": event.organisation_id,
                                                "version": event.version, "deleted": event.deleted})


async def parent_upserted(ctx: EventContext, event: ParentUpserted) -> None:
    await _upsert(ctx.session, directory_parents, {"account_id": event.account_id}, event,
                  {"family_id": event.family_id, "name": event.name})


async def child_upserted(ctx: EventContext, event: ChildUpserted) -> None:
    await _upsert(ctx.session, directory_children, {"child_id": event.child_id}, event,
                  {"family_id": event.family_id, "first_name": event.first_name,
                   "mentor_staff_id": event.mentor_staff_id})


async def group_upserted(ctx: EventContext, event: GroupUpserted) -> None:
    await _upsert(ctx.session, directory_groups, {"group_id": event.group_id}, event, {"name": event.name})


async def staff_upserted(ctx: EventContext, event: StaffUpserted) -> None:
    await _upsert(ctx.session, directory_staff, {"staff_id": event.staff_id}, event, {
        "account_id": event.account_id, "name": event.name, "group_ids": list(event.group_ids),
        "active": event.active})


async def placement_upserted(ctx: EventContext, event: PlacementUpserted) -> None:
    await _upsert(ctx.session, directory_placements, {"placement_id": event.placement_id}, event, {
        "child_id": event.child_id, "family_id": event.family_id, "group_id": event.group_id,
        "starts_on": event.starts_on, "ends_on": event.ends_on})


HANDLERS: Handlers = {
    ParentUpserted: parent_upserted, ChildUpserted: child_upserted, GroupUpserted: group_upserted,
    StaffUpserted: staff_upserted, PlacementUpserted: placement_upserted,
}
