"""Keeps the directory read model (child → family, parent account → family, time zones) from identity."""


from konnect_contracts.events.directory import ChildUpserted, OrganisationUpserted, ParentUpserted
from konnect_kit.consumer import EventContext, Handlers
from konnect_kit.read_models import upsert_if_newer

from credits.db.models import directory_children, directory_organisations, directory_parents


async def child_upserted(ctx: EventContext, event: ChildUpserted) -> None:
    await upsert_if_newer(ctx.session, directory_children, {"child_id": event.child_id}, {
        "organisation_id": event.organisation_id, "family_id": event.family_id, "deleted": event.deleted,
        "version": event.version})


async def parent_upserted(ctx: EventContext, event: ParentUpserted) -> None:
    await upsert_if_newer(ctx.session, directory_parents, {"account_id": event.account_id}, {
        "organisation_id": event.organisation_id, "family_id": event.family_id, "deleted": event.deleted,
        "version": event.version})


async def organisation_upserted(ctx: EventContext, event: OrganisationUpserted) -> None:
    await upsert_if_newer(ctx.session, directory_organisations, {"organisation_id": event.organisation_id}, {
        "time_zone": event.time_zone, "version": event.version})


HANDLERS: Handlers = {
    ChildUpserted: child_upserted, ParentUpserted: parent_upserted, OrganisationUpserted: organisation_upserted,
}
