"""Organisations: upsert with a version that only moves on a real change, each change published once."""

from uuid import UUID

from konnect_contracts.events.directory import OrganisationUpserted
from konnect_kit.domain_errors import Conflict, Invalid
from konnect_kit.internal import Caller
from konnect_kit.outbox import Outbox
from konnect_kit.tenancy import managing_scope
from sqlalchemy import Row, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.accounts import accounts
from identity.db.models import organisations
from identity.domain.organisations import OrganisationState, next_version, valid_time_zone


async def save_organisation(session: AsyncSession, outbox: Outbox, organisation_id: UUID,
                            proposed: OrganisationState) -> int:
    """The organisation's version after the upsert; the same data again writes and publishes nothing."""
    if not valid_time_zone(proposed.time_zone):
        raise Invalid("invalid_time_zone", f"Unknown time zone {proposed.time_zone!r}.")
    row = (await session.execute(
        select(organisations).where(organisations.c.organisation_id == organisation_id).with_for_update()
    )).first()
    current = OrganisationState(row.name, row.time_zone, row.external_id) if row else None
    version = next_version(current, row.version if row else 0, proposed)
    if row is not None and version == row.version:
        return version  # the same data again: no write, no event
    if proposed.external_id is not None:
        taken = await session.scalar(select(organisations.c.organisation_id).where(
            organisations.c.external_id == proposed.external_id, organisations.c.organisation_id != organisation_id))
        if taken is not None:
            raise Conflict("external_id_taken", "Another organisation already has this external id.")
    values = {"name": proposed.name, "time_zone": proposed.time_zone, "external_id": proposed.external_id,
              "version": version}
    await session.execute(
        insert(organisations).values(organisation_id=organisation_id, **values)
        .on_conflict_do_update(index_elements=[organisations.c.organisation_id], set_=values)
    )
    await outbox.publish(session, OrganisationUpserted(
        organisation_id=organisation_id, version=version, name=proposed.name, time_zone=proposed.time_zone,
        external_id=proposed.external_id))
    return version


async def organisation(session: AsyncSession, organisation_id: UUID) -> Row | None:
    return (await session.execute(
        select(organisations).where(organisations.c.organisation_id == organisation_id))).first()


async def account_status(session: AsyncSession, who: Caller, account_id: UUID) -> Row | None:
    """An account of an organisation the caller manages (another organisation's: None, like a missing one)."""
    scope = managing_scope(who)
    return (await session.execute(select(accounts).where(
        accounts.c.account_id == account_id, scope.clause(accounts.c.organisation_id)))).first()
