"""Directory reads for admins and ERP systems: one record by id, or a page of an organisation's records."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query
from konnect_kit.internal import CallerDep
from konnect_kit.service import SessionDep

from identity.api.directory_models import (
    CONSENT_KEY_PATTERN,
    ChildOut,
    ConsentKindOut,
    FamilyOut,
    GroupOut,
    LocationOut,
    Page,
    ParentOut,
    PlacementOut,
    StaffOut,
)
from identity.service_layer import directory_reads as use

# The one directory router: the upserts in `directory.py` register on it too, so it stays flat (no included
# sub-router) for anything that walks its routes, such as the gateway mirror.
router = APIRouter(prefix="/directory", tags=["directory"])

OrganisationQuery = Annotated[UUID, Query(description="List this organisation's records.")]
Limit = Annotated[int, Query(ge=1, le=500)]
# Bounded so the value fits the database's bigint (an offset past any real directory is just an empty page).
Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]


@router.get("/locations/{location_id}", response_model=LocationOut)
async def read_location(location_id: UUID, who: CallerDep, session: SessionDep) -> LocationOut:
    return LocationOut(**await use.one(session, who, "location", location_id))


@router.get("/locations", response_model=Page[LocationOut])
async def list_locations(organisation_id: OrganisationQuery, who: CallerDep, session: SessionDep,
                         limit: Limit = 100, offset: Offset = 0) -> Page[LocationOut]:
    rows, nxt = await use.page(session, who, "location", organisation_id, limit, offset)
    return Page[LocationOut](items=[LocationOut(**r) for r in rows], next_offset=nxt)


@router.get("/groups/{group_id}", response_model=GroupOut)
async def read_group(group_id: UUID, who: CallerDep, session: SessionDep) -> GroupOut:
    return GroupOut(**await use.one(session, who, "group", group_id))


@router.get("/groups", response_model=Page[GroupOut])
async def list_groups(organisation_id: OrganisationQuery, who: CallerDep, session: SessionDep,
                      location_id: UUID | None = None, limit: Limit = 100, offset: Offset = 0) -> Page[GroupOut]:
    rows, nxt = await use.page(session, who, "group", organisation_id, limit, offset, location_id=location_id)
    return Page[GroupOut](items=[GroupOut(**r) for r in rows], next_offset=nxt)


@router.get("/staff/{staff_id}", response_model=StaffOut)
async def read_staff(staff_id: UUID, who: CallerDep, session: SessionDep) -> StaffOut:
    return StaffOut(**await use.one(session, who, "staff", staff_id))


@router.get("/staff", response_model=Page[StaffOut])
async def list_staff(organisation_id: OrganisationQuery, who: CallerDep, session: SessionDep,
                     limit: Limit = 100, offset: Offset = 0) -> Page[StaffOut]:
    rows, nxt = await use.page(session, who, "staff", organisation_id, limit, offset)
    return Page[StaffOut](items=[StaffOut(**r) for r in rows], next_offset=nxt)


@router.get("/families/{family_id}", response_model=FamilyOut)
async def read_family(family_id: UUID, who: CallerDep, session: SessionDep) -> FamilyOut:
    return FamilyOut(**await use.one(session, who, "family", family_id))


@router.get("/families", response_model=Page[FamilyOut])
async def list_families(organisation_id: OrganisationQuery, who: CallerDep, session: SessionDep,
                        limit: Limit = 100, offset: Offset = 0) -> Page[FamilyOut]:
    rows, nxt = await use.page(session, who, "family", organisation_id, limit, offset)
    return Page[FamilyOut](items=[FamilyOut(**r) for r in rows], next_offset=nxt)


@router.get("/parents/{parent_id}", response_model=ParentOut)
async def read_parent(parent_id: UUID, who: CallerDep, session: SessionDep) -> ParentOut:
    return ParentOut(**await use.one(session, who, "parent", parent_id))


@router.get("/parents", response_model=Page[ParentOut])
async def list_parents(organisation_id: OrganisationQuery, who: CallerDep, session: SessionDep,
                       family_id: UUID | None = None, limit: Limit = 100, offset: Offset = 0) -> Page[ParentOut]:
    rows, nxt = await use.page(session, who, "parent", organisation_id, limit, offset, family_id=family_id)
    return Page[ParentOut](items=[ParentOut(**r) for r in rows], next_offset=nxt)


@router.get("/children/{child_id}", response_model=ChildOut)
async def read_child(child_id: UUID, who: CallerDep, session: SessionDep) -> ChildOut:
    return ChildOut(**await use.one(session, who, "child", child_id))


@router.get("/children", response_model=Page[ChildOut])
async def list_children(organisation_id: OrganisationQuery, who: CallerDep, session: SessionDep,
                        family_id: UUID | None = None, limit: Limit = 100, offset: Offset = 0) -> Page[ChildOut]:
    rows, nxt = await use.page(session, who, "child", organisation_id, limit, offset, family_id=family_id)
    return Page[ChildOut](items=[ChildOut(**r) for r in rows], next_offset=nxt)


@router.get("/placements/{placement_id}", response_model=PlacementOut)
async def read_placement(placement_id: UUID, who: CallerDep, session: SessionDep) -> PlacementOut:
    return PlacementOut(**await use.one(session, who, "placement", placement_id))


@router.get("/placements", response_model=Page[PlacementOut])
async def list_placements(organisation_id: OrganisationQuery, who: CallerDep, session: SessionDep,
                          child_id: UUID | None = None, limit: Limit = 100,
                          offset: Offset = 0) -> Page[PlacementOut]:
    rows, nxt = await use.page(session, who, "placement", organisation_id, limit, offset, child_id=child_id)
    return Page[PlacementOut](items=[PlacementOut(**r) for r in rows], next_offset=nxt)


@router.get("/consent-kinds/{key}", response_model=ConsentKindOut)
async def read_consent_kind(key: Annotated[str, Path(pattern=CONSENT_KEY_PATTERN)], organisation_id: OrganisationQuery,
                           who: CallerDep, session: SessionDep) -> ConsentKindOut:
    return ConsentKindOut(**await use.consent_kind(session, who, organisation_id, key))


@router.get("/consent-kinds", response_model=Page[ConsentKindOut])
async def list_consent_kinds(organisation_id: OrganisationQuery, who: CallerDep, session: SessionDep,
                             limit: Limit = 100, offset: Offset = 0) -> Page[ConsentKindOut]:
    rows, nxt = await use.page(session, who, "consent_kind", organisation_id, limit, offset)
    return Page[ConsentKindOut](items=[ConsentKindOut(**r) for r in rows], next_offset=nxt)
