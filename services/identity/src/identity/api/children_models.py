"""Response bodies of the child pages (parents and staff)."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field, StrictBool


class ConsentIn(BaseModel):
    granted: StrictBool = Field(examples=[True])


class ConsentOut(BaseModel):
    key: str = Field(examples=["photo_sharing"])
    kind: str = Field(description="consent or declaration")
    label: str = Field(description="In the caller's language.")
    labels: dict[Literal["nl", "en"], str] = Field(
        description="The label in every language, for a client showing another language than the account's.")
    granted: bool | None = Field(description="null: not answered yet.")
    changed_at: datetime | None


class MentorRef(BaseModel):
    staff_id: UUID
    name: str


class GroupRef(BaseModel):
    group_id: UUID
    name: str


class LocationRef(BaseModel):
    location_id: UUID
    name: str


class FamilyRef(BaseModel):
    family_id: UUID
    name: str


class PlacementView(BaseModel):
    placement_id: UUID
    group: GroupRef
    location: LocationRef
    care_type: str
    starts_on: date
    ends_on: date | None


class CurrentGroup(GroupRef):
    location: LocationRef


class ChildPage(BaseModel):
    child_id: UUID
    first_name: str
    last_name: str
    birth_date: date
    family: FamilyRef
    mentor: MentorRef | None
    groups: list[CurrentGroup] = Field(description="Groups of the placements running today.")
    placements: list[PlacementView] = Field(description="Current and future placements.")
    consents: list[ConsentOut]
