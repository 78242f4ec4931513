"""Groups for staff and admins: the caller's groups, and the children placed in one of them today."""

from uuid import UUID

from fastapi import APIRouter
from konnect_kit.internal import CallerDep
from konnect_kit.service import SessionDep
from pydantic import BaseModel, Field

from identity.api.children_models import LocationRef
from identity.service_layer import group_reads as use

router = APIRouter(prefix="/groups", tags=["groups"])


class WorkGroupOut(BaseModel):
    group_id: UUID
    name: str
    care_type: str | None
    location: LocationRef


class WorkGroupsOut(BaseModel):
    items: list[WorkGroupOut] = Field(description="By location and name.")


class GroupChildOut(BaseModel):
    child_id: UUID
    first_name: str
    last_name: str
    photo_sharing: bool = Field(description="The parents allow photos of the child to be shared with other "
                                            "families (no answer yet: false).")


class GroupChildrenOut(BaseModel):
    group: WorkGroupOut
    children: list[GroupChildOut] = Field(description="Placed in the group today, by first name.")


def _group_out(row: use.GroupRow) -> WorkGroupOut:
    return WorkGroupOut(group_id=row.group_id, name=row.name, care_type=row.care_type,
                        location=LocationRef(location_id=row.location_id, name=row.location_name))


@router.get("", response_model=WorkGroupsOut, summary="The groups the caller works on (staff) or manages (admins)")
async def my_groups(who: CallerDep, session: SessionDep) -> WorkGroupsOut:
    """Staff: the groups they work on; organisation admins: every group of the organisation."""
    return WorkGroupsOut(items=[_group_out(row) for row in await use.my_groups(session, who)])


@router.get("/{group_id}/children", response_model=GroupChildrenOut,
            summary="The children placed in a group today (its staff, the organisation's admins)")
async def group_children(group_id: UUID, who: CallerDep, session: SessionDep) -> GroupChildrenOut:
    """For tagging photos, writing a diary entry or a message; 404 for a group the caller does not work on."""
    group, placed = await use.group_children(session, who, group_id)
    return GroupChildrenOut(group=_group_out(group), children=[
        GroupChildOut(child_id=c.child_id, first_name=c.first_name, last_name=c.last_name,
                      photo_sharing=c.photo_sharing) for c in placed])
