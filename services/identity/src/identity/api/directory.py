"""Directory upserts for admins and ERP systems: idempotent PUTs, each real change published once."""

from typing import Annotated
from uuid import UUID

from fastapi import Path
from konnect_kit.internal import CallerDep
from konnect_kit.service import KitDep, SessionDep
from pydantic import BaseModel

from identity.api.directory_models import (
    CONSENT_KEY_PATTERN,
    ChildIn,
    ChildOut,
    ConsentKindIn,
    ConsentKindOut,
    FamilyIn,
    FamilyOut,
    GroupIn,
    GroupOut,
    LocationIn,
    LocationOut,
    ParentIn,
    ParentOut,
    PlacementIn,
    PlacementOut,
    StaffIn,
    StaffOut,
)
from identity.api.directory_reads import router
from identity.service_layer import directory_writes as use

__all__ = ["router"]


def _values(body: BaseModel, *exclude: str) -> dict:
    # Column values as stored: JSON mode would turn dates and UUIDs into strings and spoil the comparison.
    return body.model_dump(exclude={"organisation_id", *exclude})


@router.put("/locations/{location_id}", response_model=LocationOut)
async def put_location(location_id: UUID, body: LocationIn, who: CallerDep, session: SessionDep,
                       kit: KitDep) -> LocationOut:
    version = await use.put_location(session, kit.outbox, who, location_id, body.organisation_id, _values(body))
    return LocationOut(location_id=location_id, version=version, **body.model_dump())


@router.put("/groups/{group_id}", response_model=GroupOut)
async def put_group(group_id: UUID, body: GroupIn, who: CallerDep, session: SessionDep, kit: KitDep) -> GroupOut:
    version = await use.put_group(session, kit.outbox, who, group_id, body.organisation_id, _values(body))
    return GroupOut(group_id=group_id, version=version, **body.model_dump())


@router.put("/staff/{staff_id}", response_model=StaffOut)
async def put_staff(staff_id: UUID, body: StaffIn, who: CallerDep, session: SessionDep, kit: KitDep) -> StaffOut:
    version = await use.put_staff(session, kit.outbox, who, staff_id, body.organisation_id,
                                  _values(body, "group_ids"), list(body.group_ids))
    return StaffOut(staff_id=staff_id, version=version, **body.model_dump())


@router.put("/families/{family_id}", response_model=FamilyOut)
async def put_family(family_id: UUID, body: FamilyIn, who: CallerDep, session: SessionDep,
                     kit: KitDep) -> FamilyOut:
    version = await use.put_family(session, kit.outbox, who, family_id, body.organisation_id, _values(body))
    return FamilyOut(family_id=family_id, version=version, **body.model_dump())


@router.put("/parents/{parent_id}", response_model=ParentOut)
async def put_parent(parent_id: UUID, body: ParentIn, who: CallerDep, session: SessionDep,
                     kit: KitDep) -> ParentOut:
    version = await use.put_parent(session, kit.outbox, who, parent_id, body.organisation_id, _values(body))
    return ParentOut(parent_id=parent_id, version=version, **body.model_dump())


@router.put("/children/{child_id}", response_model=ChildOut)
async def put_child(child_id: UUID, body: ChildIn, who: CallerDep, session: SessionDep, kit: KitDep) -> ChildOut:
    version = await use.put_child(session, kit.outbox, who, child_id, body.organisation_id, _values(body))
    return ChildOut(child_id=child_id, version=version, **body.model_dump())


@router.put("/placements/{placement_id}", response_model=PlacementOut)
async def put_placement(placement_id: UUID, body: PlacementIn, who: CallerDep, session: SessionDep,
                        kit: KitDep) -> PlacementOut:
    values = {**_values(body, "weekly_pattern"), "weekly_pattern": body.model_dump(mode="json")["weekly_pattern"]}
    version = await use.put_placement(session, kit.outbox, who, placement_id, body.organisation_id, values)
    return PlacementOut(placement_id=placement_id, version=version, **body.model_dump())


@router.put("/consent-kinds/{key}", response_model=ConsentKindOut)
async def put_consent_kind(key: Annotated[str, Path(pattern=CONSENT_KEY_PATTERN, examples=["photo_sharing"])],
                           body: ConsentKindIn, who: CallerDep, session: SessionDep) -> ConsentKindOut:
    """The consents and declarations parents fill in for this organisation (no event: a catalogue, not data)."""
    version = await use.put_consent_kind(session, who, key, body.organisation_id, _values(body))
    return ConsentKindOut(key=key, version=version, **body.model_dump())


class RepublishIn(BaseModel):
    organisation_id: UUID


class RepublishOut(BaseModel):
    published: dict[str, int]


@router.post("/republish", response_model=RepublishOut, status_code=202,
             summary="Publish the organisation's whole directory again (read models of new or rebuilt consumers)")
async def republish(body: RepublishIn, who: CallerDep, session: SessionDep, kit: KitDep) -> RepublishOut:
    return RepublishOut(published=await use.republish(session, kit.outbox, who, body.organisation_id))
