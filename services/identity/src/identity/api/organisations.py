"""Organisation upsert (platform operator or ERP) and read; every change is published to the directory."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body
from konnect_contracts.events.directory import OrganisationUpserted
from konnect_kit.errors import ApiError
from konnect_kit.internal import CallerDep
from konnect_kit.service import KitDep, SessionDep
from konnect_kit.tenancy import require_managed
from konnect_kit.values import HumanName
from pydantic import BaseModel, Field, WithJsonSchema
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from identity.db.models import organisations
from identity.domain.organisations import TIME_ZONES, OrganisationState, next_version, valid_time_zone

router = APIRouter(prefix="/organisations", tags=["organisations"])

# The schema lists the zones the server knows (IANA names), so a client cannot pick one it refuses.
TimeZone = Annotated[str, Field(max_length=64),
                     WithJsonSchema({"type": "string", "enum": sorted(TIME_ZONES),
                                     "description": "An IANA time zone."})]


class OrganisationIn(BaseModel):
    name: HumanName = Field(examples=["Kinderopvang De Regenboog"])
    time_zone: TimeZone = Field(default="Europe/Amsterdam", examples=["Europe/Amsterdam"])
    external_id: str | None = Field(default=None, max_length=200, examples=["erp-org-17"])


class OrganisationOut(BaseModel):
    organisation_id: UUID
    name: str
    time_zone: str
    external_id: str | None
    version: int


@router.put("/{organisation_id}", response_model=OrganisationOut)
async def upsert_organisation(
    organisation_id: UUID, body: Annotated[OrganisationIn, Body()], who: CallerDep,
    session: SessionDep, kit: KitDep,
) -> OrganisationOut:
    require_managed(who, organisation_id)
    if not valid_time_zone(body.time_zone):
        raise ApiError(422, "invalid_time_zone", f"Unknown time zone {body.time_zone!r}.")
    row = (
        await session.execute(
            select(organisations).where(organisations.c.organisation_id == organisation_id).with_for_update()
        )
    ).first()
    current = OrganisationState(row.name, row.time_zone, row.external_id) if row else None
    proposed = OrganisationState(body.name, body.time_zone, body.external_id)
    version = next_version(current, row.version if row else 0, proposed)
    result = OrganisationOut(organisation_id=organisation_id, version=version, **body.model_dump())
    if row is not None and version == row.version:
        return result  # the same data again: no write, no event
    if body.external_id is not None:
        taken = await session.scalar(
            select(organisations.c.organisation_id).where(
                organisations.c.external_id == body.external_id,
                organisations.c.organisation_id != organisation_id,
            )
        )
        if taken is not None:
            raise ApiError(409, "external_id_taken", "Another organisation already has this external id.")
    values = {"name": body.name, "time_zone": body.time_zone, "external_id": body.external_id,
              "version": version}
    await session.execute(
        insert(organisations).values(organisation_id=organisation_id, **values)
        .on_conflict_do_update(index_elements=[organisations.c.organisation_id], set_=values)
    )
    await kit.outbox.publish(
        session, OrganisationUpserted(organisation_id=organisation_id, version=version, **body.model_dump())
    )
    return result


@router.get("/{organisation_id}", response_model=OrganisationOut)
async def get_organisation(organisation_id: UUID, who: CallerDep, session: SessionDep) -> OrganisationOut:
    require_managed(who, organisation_id)
    row = (
        await session.execute(select(organisations).where(organisations.c.organisation_id == organisation_id))
    ).first()
    if row is None:
        raise ApiError(404, "not_found", "No such organisation.")
    return OrganisationOut(organisation_id=row.organisation_id, name=row.name, time_zone=row.time_zone,
                           external_id=row.external_id, version=row.version)
