"""Directory use cases for admins and ERP systems: one function per record kind, each real change published once.

Each takes the record's column values as the route parsed them (without `organisation_id`) and answers the
record's version; the same data again keeps the version and publishes nothing.
"""

from typing import Any
from uuid import UUID

from konnect_contracts.events.directory import (
    ChildUpserted,
    FamilyUpserted,
    GroupUpserted,
    LocationUpserted,
    ParentUpserted,
    PlacementUpserted,
    StaffUpserted,
)
from konnect_kit.db import Session
from konnect_kit.domain_errors import Invalid
from konnect_kit.internal import Caller
from konnect_kit.outbox import Outbox
from konnect_kit.tenancy import require_managed

from identity.db import directory_records as records
from identity.domain.directory import staff_account_role, valid_period
from identity.service_layer.accounts import ensure_account
from identity.service_layer.directory import require_organisation, require_reference, upsert_record
from identity.service_layer.republish import republish_directory

Values = dict[str, Any]


async def authorise(session: Session, who: Caller, organisation_id: UUID) -> None:
    """The caller manages this organisation (kit rule: 404 for another one, 403 for a role that manages none)."""
    require_managed(who, organisation_id, refusal="The directory is for organisation admins and ERP systems.")
    await require_organisation(session, organisation_id)


async def put_location(session: Session, outbox: Outbox, who: Caller, location_id: UUID, org: UUID,
                       values: Values) -> int:
    await authorise(session, who, org)
    done = await upsert_record(session, "location", {"location_id": location_id}, org, values)
    if done.changed:
        event = LocationUpserted(location_id=location_id, organisation_id=org, version=done.version, **values)
        await outbox.publish(session, event, organisation_id=org)
    return done.version


async def put_group(session: Session, outbox: Outbox, who: Caller, group_id: UUID, org: UUID,
                    values: Values) -> int:
    await authorise(session, who, org)
    await require_reference(session, "location", values["location_id"], org, "location_id")
    done = await upsert_record(session, "group", {"group_id": group_id}, org, values)
    if done.changed:
        event = GroupUpserted(group_id=group_id, organisation_id=org, version=done.version, **values)
        await outbox.publish(session, event, organisation_id=org)
    return done.version


async def put_staff(session: Session, outbox: Outbox, who: Caller, staff_id: UUID, org: UUID,
                    values: Values, group_ids: list[UUID]) -> int:
    await authorise(session, who, org)
    for group_id in group_ids:
        await require_reference(session, "group", group_id, org, "group_ids")
    current_groups = await records.group_ids_of_staff(session, staff_id)
    done = await upsert_record(session, "staff", {"staff_id": staff_id}, org, values, links=(current_groups, group_ids))
    if done.changed:
        await records.replace_staff_groups(session, staff_id, group_ids)
        published = {k: v for k, v in values.items() if k not in ("is_admin", "language")}
        event = StaffUpserted(
            staff_id=staff_id, organisation_id=org, version=done.version,
            account_id=staff_id if values["email"] else None, group_ids=tuple(group_ids), **published,
        )
        await outbox.publish(session, event, organisation_id=org)
    if values["email"] and values["active"]:
        # Called on every upsert, not only on change: ensure_account is idempotent, and this repairs a
        # record that predates its login.
        await ensure_account(session, outbox, account_id=staff_id, organisation_id=org,
                             role=staff_account_role(values["is_admin"]), email=values["email"],
                             display_name=values["name"], language=values["language"])
    return done.version


async def put_family(session: Session, outbox: Outbox, who: Caller, family_id: UUID, org: UUID,
                     values: Values) -> int:
    await authorise(session, who, org)
    done = await upsert_record(session, "family", {"family_id": family_id}, org, values)
    if done.changed:
        # A snapshot of the parents known now; ParentUpserted (with family_id) is the authoritative link.
        parent_ids = await records.parent_ids_of_family(session, family_id)
        event = FamilyUpserted(family_id=family_id, organisation_id=org, version=done.version,
                               parent_account_ids=tuple(parent_ids), **values)
        await outbox.publish(session, event, organisation_id=org)
    return done.version


async def put_parent(session: Session, outbox: Outbox, who: Caller, parent_id: UUID, org: UUID,
                     values: Values) -> int:
    await authorise(session, who, org)
    await require_reference(session, "family", values["family_id"], org, "family_id")
    done = await upsert_record(session, "parent", {"parent_id": parent_id}, org, values)
    if done.changed:
        event = ParentUpserted(account_id=parent_id, organisation_id=org, version=done.version, **values)
        await outbox.publish(session, event, organisation_id=org)
    await ensure_account(session, outbox, account_id=parent_id, organisation_id=org, role="parent",
                         email=values["email"], display_name=values["name"], language=values["language"])
    return done.version


async def put_child(session: Session, outbox: Outbox, who: Caller, child_id: UUID, org: UUID,
                    values: Values) -> int:
    await authorise(session, who, org)
    await require_reference(session, "family", values["family_id"], org, "family_id")
    if values.get("mentor_staff_id") is not None:
        await require_reference(session, "staff", values["mentor_staff_id"], org, "mentor_staff_id")
    done = await upsert_record(session, "child", {"child_id": child_id}, org, values)
    if done.changed:
        event = ChildUpserted(child_id=child_id, organisation_id=org, version=done.version,
                              photo_consent=await records.photo_consent(session, child_id), **values)
        await outbox.publish(session, event, organisation_id=org)
    return done.version


async def put_placement(session: Session, outbox: Outbox, who: Caller, placement_id: UUID, org: UUID,
                        values: Values) -> int:
    await authorise(session, who, org)
    if not valid_period(values["starts_on"], values["ends_on"]):
        raise Invalid("invalid_period", "ends_on lies before starts_on.",
                      {"starts_on": values["starts_on"].isoformat(), "ends_on": str(values["ends_on"])})
    child = await require_reference(session, "child", values["child_id"], org, "child_id")
    group = await require_reference(session, "group", values["group_id"], org, "group_id")
    done = await upsert_record(session, "placement", {"placement_id": placement_id}, org, values)
    if done.changed:
        event = PlacementUpserted(placement_id=placement_id, organisation_id=org, version=done.version,
                                  family_id=child["family_id"], location_id=group["location_id"], **values)
        await outbox.publish(session, event, organisation_id=org)
    return done.version


async def put_consent_kind(session: Session, who: Caller, key: str, org: UUID, values: Values) -> int:
    """The consents and declarations parents fill in (no event: a catalogue, not data)."""
    await authorise(session, who, org)
    done = await upsert_record(session, "consent_kind", {"organisation_id": org, "key": key}, org, values)
    return done.version


async def republish(session: Session, outbox: Outbox, who: Caller, org: UUID) -> dict[str, int]:
    await authorise(session, who, org)
    return await republish_directory(session, outbox, org)
