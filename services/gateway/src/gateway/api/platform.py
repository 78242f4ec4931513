"""Platform operator routes: onboard an organisation and see what each service knows of it."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel, Field

from gateway.auth import PlatformOperator

router = APIRouter(prefix="/api/v1/platform", tags=["platform"])


class OrganisationIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["Kinderopvang De Regenboog"])
    time_zone: str = Field(default="Europe/Amsterdam", max_length=64, examples=["Europe/Amsterdam"])
    external_id: str | None = Field(default=None, max_length=200, examples=["erp-org-17"])


class OrganisationOut(BaseModel):
    organisation_id: UUID
    name: str
    time_zone: str
    external_id: str | None
    version: int


class PlanningOrganisationOut(BaseModel):
    organisation_id: UUID
    name: str
    time_zone: str
    version: int


def _relay(upstream_response) -> Response:  # type: ignore[no-untyped-def]
    return Response(upstream_response.content, status_code=upstream_response.status_code,
                    media_type="application/json")


@router.put("/organisations/{organisation_id}", response_model=OrganisationOut,
            summary="Create or update an organisation (idempotent upsert)")
async def upsert_organisation(
    organisation_id: UUID, body: Annotated[OrganisationIn, Body()], who: PlatformOperator, request: Request
) -> Response:
    identity = request.app.state.upstreams["identity"]
    return _relay(await identity.call("PUT", f"/organisations/{organisation_id}", who,
                                      json=body.model_dump(mode="json")))


@router.get("/organisations/{organisation_id}", response_model=OrganisationOut)
async def get_organisation(organisation_id: UUID, who: PlatformOperator, request: Request) -> Response:
    identity = request.app.state.upstreams["identity"]
    return _relay(await identity.call("GET", f"/organisations/{organisation_id}", who))


@router.get("/organisations/{organisation_id}/planning", response_model=PlanningOrganisationOut,
            summary="The organisation as the planning service knows it (fed by directory events)")
async def get_planning_organisation(organisation_id: UUID, who: PlatformOperator, request: Request) -> Response:
    planning = request.app.state.upstreams["planning"]
    return _relay(await planning.call("GET", f"/organisations/{organisation_id}", who))
