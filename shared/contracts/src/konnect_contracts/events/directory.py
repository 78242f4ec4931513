"""``identity.directory.v1``: master data, keyed by ``organisation_id``.

Every ``*Upserted`` event carries the full current state of one record (upsert semantics). ``version``
increases monotonically per record: a read model keeps the highest version it has seen and drops
older ones. ``deleted=True`` means the record was removed (or erased under GDPR); read models drop it.
``external_id`` is the record's id in the organisation's ERP, when it came from there.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from konnect_contracts.common import CareType, ContractModel, Language
from konnect_contracts.envelope import EventPayload

TOPIC = "identity.directory.v1"

# Well-known consent kinds (organisations may define more declarations).
CONSENT_PHOTO_SHARING = "photo_sharing"
CONSENT_OUTINGS = "outings"


class DirectoryUpsert(EventPayload):
    """Common fields of directory upserts (abstract: no EVENT_TYPE)."""

    TOPIC: ClassVar[str] = TOPIC
    KEY_FIELD: ClassVar[str] = "organisation_id"

    organisation_id: UUID
    version: int = Field(ge=0, description="Monotonically increasing per record; drop stale versions.")
    external_id: str | None = Field(default=None, description="Id of the record in the ERP, if any.")
    deleted: bool = Field(default=False, description="The record was removed; read models drop it.")


class OrganisationUpserted(DirectoryUpsert):
    EVENT_TYPE: ClassVar[str] = "OrganisationUpserted"

    name: str
    time_zone: str = "Europe/Amsterdam"
    default_language: Language = "nl"
    # Optional (added later): parents' replies to notification mails go to this address; the logo heads those
    # mails. Absent in older events: mails then have no Reply-To and no logo.
    email: str | None = None
    logo_url: str | None = None


class LocationUpserted(DirectoryUpsert):
    EVENT_TYPE: ClassVar[str] = "LocationUpserted"

    location_id: UUID
    name: str
    street: str | None = None
    house_number: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str = "NL"
    phone: str | None = None
    email: str | None = None


class GroupUpserted(DirectoryUpsert):
    EVENT_TYPE: ClassVar[str] = "GroupUpserted"

    group_id: UUID
    location_id: UUID
    name: str
    care_type: CareType | None = None


class StaffUpserted(DirectoryUpsert):
    EVENT_TYPE: ClassVar[str] = "StaffUpserted"

    staff_id: UUID
    account_id: UUID | None = Field(default=None, description="Login account of the staff member, if any.")
    name: str
    email: str | None = None
    group_ids: tuple[UUID, ...] = ()
    bio: str | None = None
    photo_key: str | None = Field(default=None, description="Object-store key of the profile photo.")
    active: bool = True


class FamilyUpserted(DirectoryUpsert):
    EVENT_TYPE: ClassVar[str] = "FamilyUpserted"

    family_id: UUID
    name: str
    parent_account_ids: tuple[UUID, ...] = ()


class ParentUpserted(DirectoryUpsert):
    EVENT_TYPE: ClassVar[str] = "ParentUpserted"

    account_id: UUID
    family_id: UUID
    name: str
    email: str
    phone: str | None = None
    language: Language = "nl"


class ChildUpserted(DirectoryUpsert):
    EVENT_TYPE: ClassVar[str] = "ChildUpserted"

    child_id: UUID
    family_id: UUID
    first_name: str
    last_name: str
    birth_date: date
    mentor_staff_id: UUID | None = None
    photo_consent: bool = False


class WeeklySlot(ContractModel):
    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday (ISO weekday - 1).")
    day_part_ids: tuple[UUID, ...]


class PlacementUpserted(DirectoryUpsert):
    EVENT_TYPE: ClassVar[str] = "PlacementUpserted"

    placement_id: UUID
    child_id: UUID
    family_id: UUID
    group_id: UUID
    location_id: UUID | None = None
    care_type: CareType
    starts_on: date
    ends_on: date | None = Field(default=None, description="Last day of care (inclusive); None = open.")
    weekly_pattern: tuple[WeeklySlot, ...] = ()


class ConsentChanged(EventPayload):
    """A parent (or the organisation) granted or withdrew one consent/declaration for a child."""

    EVENT_TYPE: ClassVar[str] = "ConsentChanged"
    TOPIC: ClassVar[str] = TOPIC
    KEY_FIELD: ClassVar[str] = "organisation_id"

    organisation_id: UUID
    child_id: UUID
    family_id: UUID
    consent_kind: str = Field(description="e.g. 'photo_sharing', 'outings', or an organisation's own kind.")
    granted: bool
    changed_by_account_id: UUID | None = Field(
        default=None, description="Account that made the change; None when set by the ERP or an import."
    )
