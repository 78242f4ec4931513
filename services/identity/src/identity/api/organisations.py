"""Organisation upsert (platform operator or ERP) and read; every change is published to the directory."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body
from konnect_kit.errors import ApiError
from konnect_kit.internal import CallerDep
from konnect_kit.service import KitDep, SessionDep
from konnect_kit.tenancy import require_managed
from konnect_kit.values import Email, HumanName
from pydantic import BaseModel, Field, WithJsonSchema

from identity.domain.organisations import TIME_ZONES, OrganisationState
from identity.service_layer import organisations as use

router = APIRouter(prefix="/organisations", tags=["organisations"])

# The schema lists the zones the server knows (IANA names), so a client cannot pick one it refuses.
TimeZone = Annotated[str, Field(max_length=64),
                     WithJsonSchema({"type": "string", "enum": sorted(TIME_ZONES),
                                     "description": "An IANA time zone."})]

# Shown in mail clients, which load it over the internet: https only, no characters that could leave the attribute.
# No backslash before the quote: JavaScript's unicode regexes (the schema's readers, Redocly) refuse the escape.
LogoUrl = Annotated[str, Field(max_length=500, pattern=r"""^https://[^\s"'<>]+$""",
                               examples=["https://www.regenboog.example/logo.png"],
                               description="Logo at the top of mails to parents (https)")]


class OrganisationIn(BaseModel):
    name: HumanName = Field(examples=["Kinderopvang De Regenboog"])
    time_zone: TimeZone = Field(default="Europe/Amsterdam", examples=["Europe/Amsterdam"])
    external_id: str | None = Field(default=None, max_length=200, examples=["erp-org-17"])
    email: Email | None = Field(default=None, examples=["info@regenboog.example"],
                                description="Parents' replies to notification mails go here (Reply-To)")
    logo_url: LogoUrl | None = None


class OrganisationOut(BaseModel):
    organisation_id: UUID
    name: str
    time_zone: str
    external_id: str | None
    email: str | None = None
    logo_url: str | None = None
    version: int


@router.put("/{organisation_id}", response_model=OrganisationOut)
async def upsert_organisation(
    organisation_id: UUID, body: Annotated[OrganisationIn, Body()], who: CallerDep,
    session: SessionDep, kit: KitDep,
) -> OrganisationOut:
    require_managed(who, organisation_id)
    version = await use.save_organisation(session, kit.outbox, organisation_id,
                                          OrganisationState(body.name, body.time_zone, body.external_id,
                                                            body.email, body.logo_url))
    return OrganisationOut(organisation_id=organisation_id, version=version, **body.model_dump())


@router.get("/{organisation_id}", response_model=OrganisationOut)
async def get_organisation(organisation_id: UUID, who: CallerDep, session: SessionDep) -> OrganisationOut:
    require_managed(who, organisation_id)
    row = await use.organisation(session, organisation_id)
    if row is None:
        raise ApiError(404, "not_found", "No such organisation.")
    return OrganisationOut(organisation_id=row.organisation_id, name=row.name, time_zone=row.time_zone,
                           external_id=row.external_id, email=row.email, logo_url=row.logo_url,
                           version=row.version)
