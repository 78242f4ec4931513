"""Request and answer models of photos, uploads, the diary and the feeds."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UploadOut(BaseModel):
    upload_id: UUID
    url: str = Field(description="POST the form here (multipart): every field of `fields`, then the file as `file`.")
    fields: dict[str, str]
    max_bytes: int = Field(description="S3 refuses a larger file.")
    expires_at: datetime = Field(description="Send and confirm before this time; later the upload is deleted.")


class UploadFailure(BaseModel):
    code: str = Field(description="Why the file was refused, e.g. `corrupt`, `image_too_large`, `video_too_long`.")
    message: str


class UploadedOut(BaseModel):
    upload_id: UUID
    status: Literal["uploading", "processing", "ready", "failed"] = Field(
        description="`uploading`: not confirmed yet; `processing`: accepted, being prepared (families see it once "
        "`ready`); `failed`: refused by processing, see `failure` (it cannot be posted).")
    failure: UploadFailure | None = None
    kind: Literal["photo", "video"] | None = Field(description="Decided from the file's bytes.")
    content_type: str | None = Field(description="Type of the clean original (HEIC becomes JPEG); once ready.")
    size_bytes: int | None
    width: int | None
    height: int | None
    duration_seconds: float | None


class PhotoItemIn(_In):
    upload_id: UUID
    child_ids: list[UUID] | None = Field(default=None, max_length=100,
                                         description="Children in this photo; default: the series' `child_ids`.")


class SeriesIn(_In):
    group_id: UUID
    child_ids: list[UUID] = Field(default_factory=list, max_length=100, description="Children in the photos.")
    caption: str | None = Field(default=None, max_length=2000)
    downloadable: bool | None = Field(default=None,
                                      description="Allow downloading the originals; default: the organisation's.")
    photos: list[PhotoItemIn] = Field(min_length=1, max_length=50)


class PostedPhotoOut(BaseModel):
    photo_id: UUID
    upload_id: UUID
    kind: str | None
    child_ids: list[UUID]
    children_without_consent: list[UUID] = Field(
        description="Tagged children without consent for sharing photos: only their own family sees the photo.")
    not_shown_to_families_of: list[UUID] = Field(description="Tagged children whose family will not see it.")


class PostedSeriesOut(BaseModel):
    series_id: UUID
    posted_at: datetime
    photos: list[PostedPhotoOut]
    notices: list[str] = Field(description="Sentences for the staff member: who will not see which photo, and why.")


class PhotoOut(BaseModel):
    photo_id: UUID
    kind: str | None
    status: Literal["processing", "ready", "failed"] = Field(
        default="ready", description="Families only ever see `ready` photos; staff also see the others.")
    position: int
    width: int | None
    height: int | None
    duration_seconds: float | None
    child_ids: list[UUID] = Field(description="The caller's own children in it (staff: every tagged child).")
    thumbnail_url: str | None = Field(description="Null while processing or when processing failed (staff only).")
    display_url: str | None = Field(default=None, description="Full-screen size (video: its poster frame).")
    video_url: str | None = None
    urls_expire_at: datetime | None = None


class SeriesOut(BaseModel):
    series_id: UUID
    group_id: UUID
    group_name: str | None = None
    caption: str | None
    posted_at: datetime
    downloadable: bool
    photos: list[PhotoOut]


class SeriesPageOut(BaseModel):
    items: list[SeriesOut] = Field(description="Newest first; every photo with its processing state.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page; null at the end.")


class DownloadOut(BaseModel):
    url: str
    expires_at: datetime
    file_name: str
    content_type: str


class DiaryIn(_In):
    text: str = Field(min_length=1, max_length=5000, pattern=r"\S", description="Not only white space.")
    upload_ids: list[UUID] = Field(default_factory=list, max_length=10)


class DiaryMediaOut(BaseModel):
    upload_id: UUID
    kind: str
    thumbnail_url: str
    display_url: str | None = None
    video_url: str | None = None


class DiaryEntryOut(BaseModel):
    entry_id: UUID
    child_id: UUID
    child_name: str | None = None
    author_role: Literal["parent", "staff"]
    author_name: str | None
    written_by_me: bool
    text: str
    created_at: datetime
    media: list[DiaryMediaOut]


class FeedItemOut(BaseModel):
    type: Literal["photos", "diary"]
    id: UUID
    at: datetime
    new: bool = Field(description="Newer than when this account last marked its feed seen.")
    series: SeriesOut | None = None
    diary_entry: DiaryEntryOut | None = None


class FeedOut(BaseModel):
    items: list[FeedItemOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next (older) page; null at the end.")
    last_seen_at: datetime | None
    unseen: int | None = Field(description="Items newer than `last_seen_at` (first page only; counts up to 100).")


class SeenOut(BaseModel):
    seen_at: datetime
