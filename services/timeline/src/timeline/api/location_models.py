"""Request and answer models of My location: contact, team, items (news, newsletters, info pages), settings."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

Kind = Literal["news", "newsletter", "info_page"]
Audience = Literal["organisation", "location", "group"]


class LocationOut(BaseModel):
    location_id: UUID
    name: str
    street: str | None = None
    house_number: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None
    phone: str | None = None
    email: str | None = None


class LocationsOut(BaseModel):
    items: list[LocationOut] = Field(description="The locations where the family's children are placed "
                                     "(staff and admins: every location of their organisation).")


class TeamGroup(BaseModel):
    group_id: UUID
    name: str


class TeamMemberOut(BaseModel):
    staff_id: UUID
    name: str
    introduction: str | None = Field(default=None, description="A short introduction by or about the staff member.")
    photo_url: str | None = Field(default=None, description="Short-lived signed URL of the profile photo, if any.")
    groups: list[TeamGroup]


class TeamOut(BaseModel):
    items: list[TeamMemberOut]


class ItemIn(BaseModel):
    """A news item, newsletter or info page, and who may see it."""

    organisation_id: UUID
    kind: Kind
    title: str = Field(min_length=1, max_length=200, pattern=r"\S", description="Not only white space.")
    body: str = Field(min_length=1, max_length=100_000,
                      description="Rich text (HTML); only formatting tags and http(s)/mailto links are kept.")
    audience: Audience = Field(description="Who may see it: the organisation, one location or one group.")
    audience_id: UUID = Field(description="The organisation, location or group named by `audience`.")
    draft: bool = Field(default=False, description="On creation: keep it unpublished (families do not see it, "
                        "nothing is announced) until `POST …/{item_id}/publish`, so attachments are added first and "
                        "the announcement says it has them. Ignored when changing an item.")

    model_config = {"json_schema_extra": {"examples": [{
        "organisation_id": "5f0c7f4e-6a1b-4f3c-9d55-2a8f1c0e7b11", "kind": "news", "title": "Zomerfeest",
        "body": "<p>Op <strong>vrijdag</strong> vieren we het zomerfeest.</p>", "audience": "location",
        "audience_id": "0b6e2c1d-3f4a-4b5c-8d9e-1f2a3b4c5d6e"}]}}


class AttachmentOut(BaseModel):
    attachment_id: UUID
    file_name: str
    content_type: str
    size_bytes: int
    is_pdf: bool = Field(description="A PDF: apps mark it as such and offer it as a download.")


class ItemSummaryOut(BaseModel):
    item_id: UUID
    kind: Kind
    title: str
    summary: str = Field(description="The start of the text, without formatting.")
    published_at: datetime
    updated_at: datetime
    audience: Audience
    audience_id: UUID
    attachments: list[AttachmentOut]


class ItemOut(ItemSummaryOut):
    organisation_id: UUID
    body_html: str = Field(description="The full text as sanitised HTML.")
    status: Literal["draft", "published", "withdrawn"]


class ItemPage(BaseModel):
    items: list[ItemSummaryOut]
    next_cursor: str | None = Field(default=None, description="Pass as `cursor` for the next (older) page.")


class ItemsOut(BaseModel):
    items: list[ItemOut]


class DownloadOut(BaseModel):
    url: str = Field(description="Signed URL of the file; valid until `expires_at` and for this file only.")
    expires_at: datetime
    file_name: str
    content_type: str


class MediaSettingsIn(BaseModel):
    downloads_allowed: bool = Field(description="Parents may download originals of photos and videos.")
    videos_enabled: bool = Field(description="Staff may post videos.")
    photo_retention_months: int | None = Field(
        default=None, ge=1, le=240, description="Photos and videos older than this are deleted (daily); "
        "null keeps them.")


class MediaSettingsOut(MediaSettingsIn):
    organisation_id: UUID
