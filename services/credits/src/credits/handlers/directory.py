"""Keeps the directory read model (child → family, parent account → family, time zones) from identity."""

from collections.abc import Callable
from typing import Any

from konnect_contracts.events.directory import ChildUpserted, OrganisationUpserted, ParentUpserted
from konnect_kit.consumer import EventConsumer, EventContext
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from credits.db.models import directory_children, directory_organisations, directory_parents
from credits.settings import Settings


async def _upsert(session: AsyncSession, table: Table, key: dict[str, Any], values: dict[str, Any]) -> None:
    # Versions only move forward: an older upsert arriving late never overwrites a newer one, and a
    # deleted record stays as a tombstone so such a late upsert cannot bring it back either.
    await session.execute(
        insert(table).values(**key, **values)
        .on_conflict_do_update(index_elements=list(key), set_=values, where=table.c.version < values["version"])
    )


async def child_upserted(ctx: EventContext, event: ChildUpserted) -> None:
    await _upsert(ctx.session, directory_children, {"child_id": event.child_id}, {
        "organisation_id": event.organisation_id, "family_id": event.family_id, "deleted": event.deleted,
        "version": event.version})


async def parent_upserted(ctx: EventContext, event: ParentUpserted) -> None:
    await _upsert(ctx.session, directory_parents, {"account_id": event.account_id}, {
        "organisation_id": event.organisation_id, "family_id": event.family_id, "deleted": event.deleted,
        "version": event.version})


async def organisation_upserted(ctx: EventContext, event: OrganisationUpserted) -> None:
    await _upsert(ctx.session, directory_organisations, {"organisation_id": event.organisation_id}, {
        "time_zone": event.time_zone, "version": event.version})


def register(settings: Settings) -> Callable[[EventConsumer], None]:
    def wire(consumer: EventConsumer) -> None:
        consumer.on(ChildUpserted, child_upserted, topic=settings.directory_topic)
        consumer.on(ParentUpserted, parent_upserted, topic=settings.directory_topic)
        consumer.on(OrganisationUpserted, organisation_upserted, topic=settings.directory_topic)

    return wire
