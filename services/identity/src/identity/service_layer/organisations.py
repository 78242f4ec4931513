"""Organisations: upsert with a version that only moves on a real change, each change published once."""

from uuid import UUID

from konnect_contracts.events.directory import OrganisationUpserted
from konnect_kit.db import Session
from konnect_kit.domain_errors import Conflict, Invalid
from konnect_kit.internal import Caller
from konnect_kit.outbox import Outbox
from konnect_kit.tenancy import managing_scope

from identity.db import organisations as db
from identity.db.logins import Login, login_in_scope
from identity.db.organisations import Organisation
from identity.domain.organisations import OrganisationState, next_version, valid_time_zone


async def save_organisation(session: Session, outbox: Outbox, organisation_id: UUID,
                            proposed: OrganisationState) -> int:
    """The organisation's version after the upsert; the same data again writes and publishes nothing."""
    if not valid_time_zone(proposed.time_zone):
        raise Invalid("invalid_time_zone", f"Unknown time zone {proposed.time_zone!r}.")
    row = await db.organisation(session, organisation_id, lock=True)
    current = OrganisationState(row.name, row.time_zone, row.external_id, row.email,
                                row.logo_url) if row else None
    version = next_version(current, row.version if row else 0, proposed)
    if row is not None and version == row.version:
        return version  # the same data again: no write, no event
    if proposed.external_id is not None:
        if await db.external_id_used_by_other(session, proposed.external_id, organisation_id):
            raise Conflict("external_id_taken", "Another organisation already has this external id.")
    values = {"name": proposed.name, "time_zone": proposed.time_zone, "external_id": proposed.external_id,
              "email": proposed.email, "logo_url": proposed.logo_url, "version": version}
    await db.save_organisation(session, organisation_id, values)
    await outbox.publish(session, OrganisationUpserted(
        organisation_id=organisation_id, version=version, name=proposed.name, time_zone=proposed.time_zone,
        external_id=proposed.external_id, email=proposed.email, logo_url=proposed.logo_url))
    return version


async def organisation(session: Session, organisation_id: UUID) -> Organisation | None:
    return await db.organisation(session, organisation_id)


async def account_status(session: Session, who: Caller, account_id: UUID) -> Login | None:
    """An account of an organisation the caller manages (another organisation's: None, like a missing one)."""
    return await login_in_scope(session, account_id, managing_scope(who))
