"""What planning knows of an organisation (its read model), for admins and the platform operator."""

from uuid import UUID

from fastapi import APIRouter
from konnect_kit.errors import ApiError
from konnect_kit.internal import CallerDep
from konnect_kit.service import SessionDep
from pydantic import BaseModel

from planning.service_layer.calendar_admin import known_organisation

router = APIRouter(prefix="/organisations", tags=["organisations"])


class PlanningOrganisationOut(BaseModel):
    organisation_id: UUID
    name: str
    time_zone: str
    version: int


@router.get("/{organisation_id}", response_model=PlanningOrganisationOut)
async def get_organisation(organisation_id: UUID, who: CallerDep, session: SessionDep) -> PlanningOrganisationOut:
    allowed = who.role == "platform_operator" or who.organisation_id == str(organisation_id)
    row = await known_organisation(session, organisation_id)
    if row is None or not allowed:
        raise ApiError(404, "not_found", "Planning does not know this organisation (yet).")
    return PlanningOrganisationOut(organisation_id=row.organisation_id, name=row.name,
                                   time_zone=row.time_zone, version=row.version)
