"""Directory reads for admins and ERP systems: one record by id, or a page of an organisation's records."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query
from konnect_kit.internal import Caller, CallerDep
from konnect_kit.service import SessionDep
from konnect_kit.tenancy import managing_scope, not_found, require_managed
from sqlalchemy import ColumnElement, Row, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

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
from identity.db.directory import (
    children,
    consent_kinds,
    families,
    groups,
    locations,
    parents,
    placements,
    staff,
    staff_groups,
)
from identity.service_layer.directory import require_organisation

# The one directory router: the upserts in `directory.py` register on it too, so it stays flat (no included
# sub-router) for anything that walks its routes, such as the gateway mirror.
router = APIRouter(prefix="/directory", tags=["directory"])

OrganisationQuery = Annotated[UUID, Query(description="List this organisation's records.")]
Limit = Annotated[int, Query(ge=1, le=500)]
# Bounded so the value fits the database's bigint (an offset past any real directory is just an empty page).
Offset = Annotated[int, Query(ge=0, le=2**31 - 1)]


REFUSAL = "The directory is for organisation admins and ERP systems."


async def _one(session: AsyncSession, who: Caller, table: Table, where: ColumnElement[bool]) -> Row:
    scope = managing_scope(who, refusal=REFUSAL)
    # Another tenant's record answers like a missing one: ids do not reveal what exists elsewhere.
    row = (await session.execute(select(table).where(where, scope.clause(table.c.organisation_id)))).first()
    if row is None:
        raise not_found()
    return row


async def _page(session: AsyncSession, who: Caller, table: Table, organisation_id: UUID, limit: int, offset: int,
                order: list[Any], *filters: ColumnElement[bool]) -> tuple[list[Row], int | None]:
    require_managed(who, organisation_id, refusal=REFUSAL)
    await require_organisation(session, organisation_id)
    query = select(table).where(table.c.organisation_id == organisation_id, *filters).order_by(*order)
    rows = list((await session.execute(query.limit(limit + 1).offset(offset))).all())
    return rows[:limit], (offset + limit if len(rows) > limit else None)


def _as_dict(row: Row) -> dict[str, Any]:
    return dict(row._mapping)


async def _staff_out(session: AsyncSession, row: Row) -> StaffOut:
    query = select(staff_groups.c.group_id).where(staff_groups.c.staff_id == row.staff_id)
    group_ids = (await session.scalars(query)).all()
    return StaffOut(**_as_dict(row), group_ids=list(group_ids))


@router.get("/locations/{location_id}", response_model=LocationOut)
async def read_location(location_id: UUID, who: CallerDep, session: SessionDep) -> LocationOut:
    return LocationOut(**_as_dict(await _one(session, who, locations, locations.c.location_id == location_id)))


@router.get("/locations", response_model=Page[LocationOut])
async def list_locations(organisation_id: OrganisationQuery, who: CallerDep, session: SessionDep,
                         limit: Limit = 100, offset: Offset = 0) -> Page[LocationOut]:
    rows, nxt = await _page(session, who, locations, organisation_id, limit, offset,
                            [locations.c.name, locations.c.location_id])
    return Page[LocationOut](items=[LocationOut(**_as_dict(r)) for r in rows], next_offset=nxt)


@router.get("/groups/{group_id}", response_model=GroupOut)
async def read_group(group_id: UUID, who: CallerDep, session: SessionDep) -> GroupOut:
    return GroupOut(**_as_dict(await _one(session, who, groups, groups.c.group_id == group_id)))


@router.get("/groups", response_model=Page[GroupOut])
async def list_groups(organisation_id: OrganisationQuery, who: CallerDep, session: SessionDep,
                      location_id: UUID | None = None, limit: Limit = 100, offset: Offset = 0) -> Page[GroupOut]:
    filters = [groups.c.location_id == location_id] if location_id else []
    rows, nxt = await _page(session, who, groups, organisation_id, limit, offset,
                            [groups.c.name, groups.c.group_id], *filters)
    return Page[GroupOut](items=[GroupOut(**_as_dict(r)) for r in rows], next_offset=nxt)


@router.get("/staff/{staff_id}", response_model=StaffOut)
async def read_staff(staff_id: UUID, who: CallerDep, session: SessionDep) -> StaffOut:
    return await _staff_out(session, await _one(session, who, staff, staff.c.staff_id == staff_id))


@router.get("/staff", response_model=Page[StaffOut])
async def list_staff(organisation_id: OrganisationQuery, who: CallerDep, session: SessionDep,
                     limit: Limit = 100, offset: Offset = 0) -> Page[StaffOut]:
    rows, nxt = await _page(session, who, staff, organisation_id, limit, offset, [staff.c.name, staff.c.staff_id])
    return Page[StaffOut](items=[await _staff_out(session, r) for r in rows], next_offset=nxt)


@router.get("/families/{family_id}", response_model=FamilyOut)
async def read_family(family_id: UUID, who: CallerDep, session: SessionDep) -> FamilyOut:
    return FamilyOut(**_as_dict(await _one(session, who, families, families.c.family_id == family_id)))


@router.get("/families", response_model=Page[FamilyOut])
async def list_families(organisation_id: OrganisationQuery, who: CallerDep, session: SessionDep,
                        limit: Limit = 100, offset: Offset = 0) -> Page[FamilyOut]:
    rows, nxt = await _page(session, who, families, organisation_id, limit, offset,
                            [families.c.name, families.c.family_id])
    return Page[FamilyOut](items=[FamilyOut(**_as_dict(r)) for r in rows], next_offset=nxt)


@router.get("/parents/{parent_id}", response_model=ParentOut)
async def read_parent(parent_id: UUID, who: CallerDep, session: SessionDep) -> ParentOut:
    return ParentOut(**_as_dict(await _one(session, who, parents, parents.c.parent_id == parent_id)))


@router.get("/parents", response_model=Page[ParentOut])
async def list_parents(organisation_id: OrganisationQuery, who: CallerDep, session: SessionDep,
                       family_id: UUID | None = None, limit: Limit = 100, offset: Offset = 0) -> Page[ParentOut]:
    filters = [parents.c.family_id == family_id] if family_id else []
    rows, nxt = await _page(session, who, parents, organisation_id, limit, offset,
                            [parents.c.name, parents.c.parent_id], *filters)
    return Page[ParentOut](items=[ParentOut(**_as_dict(r)) for r in rows], next_offset=nxt)


@router.get("/children/{child_id}", response_model=ChildOut)
async def read_child(child_id: UUID, who: CallerDep, session: SessionDep) -> ChildOut:
    return ChildOut(**_as_dict(await _one(session, who, children, children.c.child_id == child_id)))


@router.get("/children", response_model=Page[ChildOut])
async def list_children(organisation_id: OrganisationQuery, who: CallerDep, session: SessionDep,
                        family_id: UUID | None = None, limit: Limit = 100, offset: Offset = 0) -> Page[ChildOut]:
    filters = [children.c.family_id == family_id] if family_id else []
    order = [children.c.last_name, children.c.first_name, children.c.child_id]
    rows, nxt = await _page(session, who, children, organisation_id, limit, offset, order, *filters)
    return Page[ChildOut](items=[ChildOut(**_as_dict(r)) for r in rows], next_offset=nxt)


@router.get("/placements/{placement_id}", response_model=PlacementOut)
async def read_placement(placement_id: UUID, who: CallerDep, session: SessionDep) -> PlacementOut:
    return PlacementOut(**_as_dict(await _one(session, who, placements, placements.c.placement_id == placement_id)))


@router.get("/placements", response_model=Page[PlacementOut])
async def list_placements(organisation_id: OrganisationQuery, who: CallerDep, session: SessionDep,
                          child_id: UUID | None = None, limit: Limit = 100,
                          offset: Offset = 0) -> Page[PlacementOut]:
    filters = [placements.c.child_id == child_id] if child_id else []
    rows, nxt = await _page(session, who, placements, organisation_id, limit, offset,
                            [placements.c.starts_on, placements.c.placement_id], *filters)
    return Page[PlacementOut](items=[PlacementOut(**_as_dict(r)) for r in rows], next_offset=nxt)


@router.get("/consent-kinds/{key}", response_model=ConsentKindOut)
async def read_consent_kind(key: Annotated[str, Path(pattern=CONSENT_KEY_PATTERN)], organisation_id: OrganisationQuery,
                           who: CallerDep, session: SessionDep) -> ConsentKindOut:
    where = (consent_kinds.c.organisation_id == organisation_id) & (consent_kinds.c.key == key)
    return ConsentKindOut(**_as_dict(await _one(session, who, consent_kinds, where)))


@router.get("/consent-kinds", response_model=Page[ConsentKindOut])
async def list_consent_kinds(organisation_id: OrganisationQuery, who: CallerDep, session: SessionDep,
                             limit: Limit = 100, offset: Offset = 0) -> Page[ConsentKindOut]:
    rows, nxt = await _page(session, who, consent_kinds, organisation_id, limit, offset, [consent_kinds.c.key])
    return Page[ConsentKindOut](items=[ConsentKindOut(**_as_dict(r)) for r in rows], next_offset=nxt)
