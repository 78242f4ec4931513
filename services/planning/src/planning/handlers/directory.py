"""Keeps planning's copy of directory facts (organisation time zone) current from identity's events."""

from konnect_contracts.events.directory import OrganisationUpserted
from konnect_kit.consumer import EventConsumer, EventContext
from sqlalchemy.dialects.postgresql import insert

from planning.db.models import directory_organisations as orgs


async def organisation_upserted(ctx: EventContext, event: OrganisationUpserted) -> None:
    values = {"name": event.name, "time_zone": event.time_zone, "version": event.version}
    # Versions only move forward: an older upsert arriving late never overwrites a newer one.
    await ctx.session.execute(
        insert(orgs).values(organisation_id=event.organisation_id, **values)
        .on_conflict_do_update(index_elements=[orgs.c.organisation_id], set_=values,
                               where=orgs.c.version < event.version)
    )


def register(consumer: EventConsumer) -> None:
    consumer.on(OrganisationUpserted, organisation_upserted)
