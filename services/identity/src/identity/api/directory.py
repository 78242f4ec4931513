"""Directory upserts for admins and ERP systems: idempotent PUTs, each real change published once."""

from typing import Annotated
from uuid import UUID

from fastapi import Path
from konnect_contracts.events.directory import (
    ChildUpserted,
    FamilyUpserted,
    GroupUpserted,
    LocationUpserted,
    ParentUpserted,
    PlacementUpserted,
    StaffUpserted,
)
from konnect_kit.errors import ApiError
from konnect_kit.internal import Caller, CallerDep
from konnect_kit.service import KitDep, SessionDep
from konnect_kit.tenancy import require_managed
from pydantic import BaseModel
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

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
from identity.db.directory import (
    children,
    consent_kinds,
    consents,
    families,
    groups,
    locations,
    parents,
    placements,
    staff,
    staff_groups,
)
from identity.domain.directory import staff_account_role, valid_period
from identity.service_layer.accounts import ensure_account
from identity.service_layer.directory import require_organisation, require_reference, upsert_record
from identity.service_layer.republish import republish_directory

__all__ = ["router"]


async def _authorise(who: Caller, session: AsyncSession, organisation_id: UUID) -> None:
    require_managed(who, organisation_id, refusal="The directory is for organisation admins and ERP systems.")
    await require_organisation(session, organisation_id)


def _values(body: BaseModel, *exclude: str) -> dict:
    # Column values as stored: JSON mode would turn dates and UUIDs into strings and spoil the comparison.
    return body.model_dump(exclude={"organisation_id", *exclude})


@router.put("/locations/{location_id}", response_model=LocationOut)
async def put_location(location_id: UUID, body: LocationIn, who: CallerDep, session: SessionDep,
                       kit: KitDep) -> LocationOut:
    org = body.organisation_id
    await _authorise(who, session, org)
    values = _values(body)
    done = await upsert_record(session, locations, {"location_id": location_id}, org, values)
    if done.changed:
        event = LocationUpserted(location_id=location_id, organisation_id=org, version=done.version, **values)
        await kit.outbox.publish(session, event, organisation_id=org)
    return LocationOut(location_id=location_id, version=done.version, **body.model_dump())


@router.put("/groups/{group_id}", response_model=GroupOut)
async def put_group(group_id: UUID, body: GroupIn, who: CallerDep, session: SessionDep, kit: KitDep) -> GroupOut:
    org = body.organisation_id
    await _authorise(who, session, org)
    await require_reference(session, locations, "location_id", body.location_id, org, "location_id")
    values = _values(body)
    done = await upsert_record(session, groups, {"group_id": group_id}, org, values)
    if done.changed:
        event = GroupUpserted(group_id=group_id, organisation_id=org, version=done.version, **values)
        await kit.outbox.publish(session, event, organisation_id=org)
    return GroupOut(group_id=group_id, version=done.version, **body.model_dump())


@router.put("/staff/{staff_id}", response_model=StaffOut)
async def put_staff(staff_id: UUID, body: StaffIn, who: CallerDep, session: SessionDep, kit: KitDep) -> StaffOut:
    org = body.organisation_id
    await _authorise(who, session, org)
    for group_id in body.group_ids:
        await require_reference(session, groups, "group_id", group_id, org, "group_ids")
    current_groups = sorted(
        (await session.scalars(select(staff_groups.c.group_id).where(staff_groups.c.staff_id == staff_id))).all(),
        key=str,
    )
    values = _values(body, "group_ids")
    done = await upsert_record(session, staff, {"staff_id": staff_id}, org, values,
                               links=(current_groups, body.group_ids))
    if done.changed:
        await session.execute(delete(staff_groups).where(staff_groups.c.staff_id == staff_id))
        if body.group_ids:
            await session.execute(insert(staff_groups), [{"staff_id": staff_id, "group_id": g} for g in body.group_ids])
        event = StaffUpserted(
            staff_id=staff_id, organisation_id=org, version=done.version,
            account_id=staff_id if body.email else None, group_ids=tuple(body.group_ids),
            **_values(body, "group_ids", "is_admin", "language"),
        )
        await kit.outbox.publish(session, event, organisation_id=org)
    if body.email and body.active:
        # Called on every upsert, not only on change: ensure_account is idempotent, and this repairs a
        # record that predates its login.
        await ensure_account(session, kit.outbox, account_id=staff_id, organisation_id=org,
                             role=staff_account_role(body.is_admin), email=body.email, display_name=body.name,
                             language=body.language)
    return StaffOut(staff_id=staff_id, version=done.version, **body.model_dump())


@router.put("/families/{family_id}", response_model=FamilyOut)
async def put_family(family_id: UUID, body: FamilyIn, who: CallerDep, session: SessionDep,
                     kit: KitDep) -> FamilyOut:
    org = body.organisation_id
    await _authorise(who, session, org)
    values = _values(body)
    done = await upsert_record(session, families, {"family_id": family_id}, org, values)
    if done.changed:
        # A snapshot of the parents known now; ParentUpserted (with family_id) is the authoritative link.
        parent_ids = (
            await session.scalars(
                select(parents.c.parent_id).where(parents.c.family_id == family_id).order_by(parents.c.parent_id)
            )
        ).all()
        event = FamilyUpserted(family_id=family_id, organisation_id=org, version=done.version,
                               parent_account_ids=tuple(parent_ids), **values)
        await kit.outbox.publish(session, event, organisation_id=org)
    return FamilyOut(family_id=family_id, version=done.version, **body.model_dump())


@router.put("/parents/{parent_id}", response_model=ParentOut)
async def put_parent(parent_id: UUID, body: ParentIn, who: CallerDep, session: SessionDep,
                     kit: KitDep) -> ParentOut:
    org = body.organisation_id
    await _authorise(who, session, org)
    await require_reference(session, families, "family_id", body.family_id, org, "family_id")
    values = _values(body)
    done = await upsert_record(session, parents, {"parent_id": parent_id}, org, values)
    if done.changed:
        event = ParentUpserted(account_id=parent_id, organisation_id=org, version=done.version, **values)
        await kit.outbox.publish(session, event, organisation_id=org)
    await ensure_account(session, kit.outbox, account_id=parent_id, organisation_id=org, role="parent",
                         email=body.email, display_name=body.name, language=body.language)
    return ParentOut(parent_id=parent_id, version=done.version, **body.model_dump())


@router.put("/children/{child_id}", response_model=ChildOut)
async def put_child(child_id: UUID, body: ChildIn, who: CallerDep, session: SessionDep, kit: KitDep) -> ChildOut:
    org = body.organisation_id
    await _authorise(who, session, org)
    await require_reference(session, families, "family_id", body.family_id, org, "family_id")
    if body.mentor_staff_id is not None:
        await require_reference(session, staff, "staff_id", body.mentor_staff_id, org, "mentor_staff_id")
    values = _values(body)
    done = await upsert_record(session, children, {"child_id": child_id}, org, values)
    if done.changed:
        photo_consent = await session.scalar(
            select(consents.c.granted).where(consents.c.child_id == child_id, consents.c.kind_key == "photo_sharing")
        )
        event = ChildUpserted(child_id=child_id, organisation_id=org, version=done.version,
                              photo_consent=bool(photo_consent), **values)
        await kit.outbox.publish(session, event, organisation_id=org)
    return ChildOut(child_id=child_id, version=done.version, **body.model_dump())


@router.put("/placements/{placement_id}", response_model=PlacementOut)
async def put_placement(placement_id: UUID, body: PlacementIn, who: CallerDep, session: SessionDep,
                        kit: KitDep) -> PlacementOut:
    org = body.organisation_id
    await _authorise(who, session, org)
    if not valid_period(body.starts_on, body.ends_on):
        raise ApiError(422, "invalid_period", "ends_on lies before starts_on.",
                       {"starts_on": body.starts_on.isoformat(), "ends_on": str(body.ends_on)})
    child = await require_reference(session, children, "child_id", body.child_id, org, "child_id")
    group = await require_reference(session, groups, "group_id", body.group_id, org, "group_id")
    values = {**_values(body, "weekly_pattern"), "weekly_pattern": body.model_dump(mode="json")["weekly_pattern"]}
    done = await upsert_record(session, placements, {"placement_id": placement_id}, org, values)
    if done.changed:
        event = PlacementUpserted(placement_id=placement_id, organisation_id=org, version=done.version,
                                  family_id=child.family_id, location_id=group.location_id, **values)
        await kit.outbox.publish(session, event, organisation_id=org)
    return PlacementOut(placement_id=placement_id, version=done.version, **body.model_dump())


@router.put("/consent-kinds/{key}", response_model=ConsentKindOut)
async def put_consent_kind(key: Annotated[str, Path(pattern=CONSENT_KEY_PATTERN, examples=["photo_sharing"])],
                           body: ConsentKindIn, who: CallerDep, session: SessionDep) -> ConsentKindOut:
    """The consents and declarations parents fill in for this organisation (no event: a catalogue, not data)."""
    org = body.organisation_id
    await _authorise(who, session, org)
    done = await upsert_record(session, consent_kinds, {"organisation_id": org, "key": key}, org, _values(body))
    return ConsentKindOut(key=key, version=done.version, **body.model_dump())


class RepublishIn(BaseModel):
    organisation_id: UUID


class RepublishOut(BaseModel):
    published: dict[str, int]


@router.post("/republish", response_model=RepublishOut, status_code=202,
             summary="Publish the organisation's whole directory again (read models of new or rebuilt consumers)")
async def republish(body: RepublishIn, who: CallerDep, session: SessionDep, kit: KitDep) -> RepublishOut:
    await _authorise(who, session, body.organisation_id)
    return RepublishOut(published=await republish_directory(session, kit.outbox, body.organisation_id))
