"""Request and response bodies of the directory admin/ERP API (the OpenAPI examples live here)."""

from typing import Generic, Literal, TypeVar
from uuid import UUID

from konnect_kit.values import Email, HumanName, ShortHumanName, SupportedDate
from pydantic import BaseModel, ConfigDict, Field, field_validator

ORG_EXAMPLE = "0b6f3c52-4b8e-4f36-9a55-2f1c8c1d9e01"
CareType = Literal["day_care", "after_school", "toddler"]
Language = Literal["nl", "en"]
CONSENT_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
T = TypeVar("T")


class RecordIn(BaseModel):
    """Fields every directory record shares."""

    organisation_id: UUID = Field(examples=[ORG_EXAMPLE])
    external_id: str | None = Field(default=None, min_length=1, max_length=200, examples=["K-10442"],
                                    description="The record's id in the ERP; unique per organisation and kind.")


class VersionOut(BaseModel):
    version: int = Field(description="Starts at 1 and increases only when the data changes.")


class LocationIn(RecordIn):
    name: HumanName = Field(examples=["Locatie Zonnebloem"])
    street: str | None = Field(default=None, max_length=200, examples=["Dorpsstraat"])
    house_number: str | None = Field(default=None, max_length=20, examples=["12a"])
    postal_code: str | None = Field(default=None, max_length=16, examples=["1234 AB"])
    city: str | None = Field(default=None, max_length=100, examples=["Utrecht"])
    country: str = Field(default="NL", pattern=r"^[A-Z]{2}$", examples=["NL"])
    phone: str | None = Field(default=None, max_length=40, examples=["+31 30 123 4567"])
    email: Email | None = Field(default=None, examples=["zonnebloem@example.org"])


class LocationOut(LocationIn, VersionOut):
    location_id: UUID


class GroupIn(RecordIn):
    location_id: UUID
    name: HumanName = Field(examples=["Dreumesgroep De Uiltjes"])
    care_type: CareType | None = Field(default=None, examples=["day_care"])


class GroupOut(GroupIn, VersionOut):
    group_id: UUID


class StaffIn(RecordIn):
    name: HumanName = Field(examples=["Sanne Jansen"])
    email: Email | None = Field(default=None, examples=["sanne@example.org"],
                                   description="With an e-mail address the staff member gets a login.")
    photo_key: str | None = Field(default=None, max_length=500, description="Object-store key of the photo.")
    bio: str | None = Field(default=None, max_length=4000, examples=["Werkt sinds 2019 bij de Uiltjes."])
    active: bool = True
    is_admin: bool = Field(default=False, description="The login gets the organisation-admin role.")
    language: Language = "nl"
    group_ids: list[UUID] = Field(default_factory=list, max_length=200)

    @field_validator("group_ids")
    @classmethod
    def _distinct_sorted(cls, value: list[UUID]) -> list[UUID]:
        # A set in practice: order and repeats carry no meaning, so they must not bump the version.
        return sorted(set(value), key=str)


class StaffOut(StaffIn, VersionOut):
    staff_id: UUID


class FamilyIn(RecordIn):
    name: HumanName = Field(examples=["Familie de Vries"])


class FamilyOut(FamilyIn, VersionOut):
    family_id: UUID


class ParentIn(RecordIn):
    family_id: UUID
    name: HumanName = Field(examples=["Eva de Vries"])
    email: Email = Field(examples=["eva@example.org"], description="The login name; an invitation goes here.")
    phone: str | None = Field(default=None, max_length=40, examples=["+31 6 1234 5678"])
    language: Language = "nl"


class ParentOut(ParentIn, VersionOut):
    parent_id: UUID = Field(description="Also the parent's account id.")
    role: Literal["parent"] = "parent"


class ChildIn(RecordIn):
    family_id: UUID
    first_name: ShortHumanName = Field(examples=["Noor"])
    last_name: ShortHumanName = Field(examples=["de Vries"])
    birth_date: SupportedDate = Field(examples=["2022-06-14"])
    mentor_staff_id: UUID | None = None


class ChildOut(ChildIn, VersionOut):
    child_id: UUID


class WeeklySlotIn(BaseModel):
    model_config = ConfigDict(frozen=True)

    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday.")
    day_part_ids: list[UUID] = Field(default_factory=list, max_length=20)


class PlacementIn(RecordIn):
    child_id: UUID
    group_id: UUID
    care_type: CareType = Field(examples=["day_care"])
    starts_on: SupportedDate = Field(examples=["2026-01-05"])
    ends_on: SupportedDate | None = Field(default=None, examples=["2027-06-30"], description="Last day (inclusive).")
    weekly_pattern: list[WeeklySlotIn] = Field(default_factory=list, max_length=7)

    @field_validator("weekly_pattern")
    @classmethod
    def _one_slot_per_weekday(cls, value: list[WeeklySlotIn]) -> list[WeeklySlotIn]:
        if len({slot.weekday for slot in value}) != len(value):
            raise ValueError("each weekday may appear only once")
        return sorted(value, key=lambda slot: slot.weekday)


class PlacementOut(PlacementIn, VersionOut):
    placement_id: UUID


class ConsentKindIn(RecordIn):
    label_nl: str = Field(min_length=1, max_length=200, examples=["Foto's mogen gedeeld worden"])
    label_en: str = Field(min_length=1, max_length=200, examples=["Photos may be shared"])
    kind: Literal["consent", "declaration"] = "consent"


class ConsentKindOut(ConsentKindIn, VersionOut):
    key: str


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_offset: int | None = Field(description="Pass as `offset` for the next page; null on the last page.")
