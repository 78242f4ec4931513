"""Keeps the recipients (who can be mailed, in which language) and children read models current from the directory."""

from typing import Any
from uuid import UUID

from konnect_contracts.events.directory import (
    ChildUpserted,
    GroupUpserted,
    OrganisationUpserted,
    ParentUpserted,
    PlacementUpserted,
    StaffUpserted,
)
from konnect_kit.consumer import EventContext, Handlers
from konnect_kit.read_models import upsert_if_newer
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.audiences import upsert_group, upsert_placement
from notifications.db.models import recipients
from notifications.db.read_models import upsert_child, upsert_organisation
from notifications.domain.languages import mail_language


async def upsert_recipient(session: AsyncSession, *, account_id: UUID, role: str, version: int,
                           values: dict[str, Any]) -> None:
    # Versions only move forward; deleted records stay as inactive tombstones (konnect_kit.read_models).
    await upsert_if_newer(session, recipients, {"account_id": account_id, "role": role}, {**values, "version": version})


async def parent_upserted(ctx: EventContext, event: ParentUpserted) -> None:
    await upsert_recipient(ctx.session, account_id=event.account_id, role="parent", version=event.version, values={
        "organisation_id": event.organisation_id, "family_id": event.family_id, "email": event.email,
        "display_name": event.name, "language": mail_language(event.language), "active": not event.deleted,
    })


async def staff_upserted(ctx: EventContext, event: StaffUpserted) -> None:
    if event.account_id is None:
        return  # no login account: nothing for notifications to address
    await upsert_recipient(ctx.session, account_id=event.account_id, role="staff", version=event.version, values={
        "organisation_id": event.organisation_id, "family_id": None, "email": event.email,
        # The directory has no language for staff (yet): the product default.
        "display_name": event.name, "language": mail_language(None), "active": event.active and not event.deleted,
    })


async def child_upserted(ctx: EventContext, event: ChildUpserted) -> None:
    # Only the first name is kept: that is all a mail to the parents needs. Deleted (or erased): no name at all.
    await upsert_child(ctx.session, child_id=event.child_id, version=event.version, values={
        "organisation_id": event.organisation_id, "family_id": event.family_id,
        "first_name": None if event.deleted else event.first_name, "deleted": event.deleted,
    })


async def placement_upserted(ctx: EventContext, event: PlacementUpserted) -> None:
    # Which families a location's or group's news reaches (see db.audiences.parents_in).
    await upsert_placement(ctx.session, placement_id=event.placement_id, version=event.version, values={
        "organisation_id": event.organisation_id, "child_id": event.child_id, "family_id": event.family_id,
        "group_id": event.group_id, "location_id": event.location_id, "ends_on": event.ends_on,
        "deleted": event.deleted,
    })


async def group_upserted(ctx: EventContext, event: GroupUpserted) -> None:
    await upsert_group(ctx.session, group_id=event.group_id, version=event.version, values={
        "organisation_id": event.organisation_id, "location_id": event.location_id, "deleted": event.deleted,
    })


async def organisation_upserted(ctx: EventContext, event: OrganisationUpserted) -> None:
    # Mails name the organisation as sender, with its logo and a Reply-To to its address where it has them.
    await upsert_organisation(ctx.session, organisation_id=event.organisation_id, version=event.version, values={
        "name": event.name, "email": event.email, "logo_url": event.logo_url})


HANDLERS: Handlers = {OrganisationUpserted: organisation_upserted,
                      ParentUpserted: parent_upserted, StaffUpserted: staff_upserted, ChildUpserted: child_upserted,
                      PlacementUpserted: placement_upserted, GroupUpserted: group_upserted}
