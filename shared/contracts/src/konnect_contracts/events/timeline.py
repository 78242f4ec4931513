"""``timeline.posts.v1`` (keyed by ``organisation_id``), ``timeline.content.v1`` (keyed by ``location_id``) and
timeline's own work queue ``timeline.media.v1`` (keyed by ``organisation_id``)."""

from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from konnect_contracts.common import UtcDatetime
from konnect_contracts.envelope import EventPayload

POSTS_TOPIC = "timeline.posts.v1"
CONTENT_TOPIC = "timeline.content.v1"
MEDIA_TOPIC = "timeline.media.v1"

Audience = Literal["organisation", "location", "group"]


class _PostsEvent(EventPayload):
    TOPIC: ClassVar[str] = POSTS_TOPIC
    KEY_FIELD: ClassVar[str] = "organisation_id"


class _ContentEvent(EventPayload):
    TOPIC: ClassVar[str] = CONTENT_TOPIC
    KEY_FIELD: ClassVar[str] = "location_id"


class PhotoPosted(_PostsEvent):
    """Staff shared a photo (or video) of one or more children of a group."""

    EVENT_TYPE: ClassVar[str] = "PhotoPosted"

    photo_id: UUID
    organisation_id: UUID
    location_id: UUID | None = None
    group_id: UUID
    child_ids: tuple[UUID, ...] = Field(min_length=1)
    posted_by_staff_id: UUID
    media_kind: Literal["photo", "video"] = "photo"
    series_id: UUID | None = Field(default=None, description="Photos posted together share a series.")
    caption: str | None = None
    downloadable: bool = False


class DiaryEntryPosted(_PostsEvent):
    EVENT_TYPE: ClassVar[str] = "DiaryEntryPosted"

    entry_id: UUID
    organisation_id: UUID
    child_id: UUID
    author_account_id: UUID
    author_role: Literal["parent", "staff"]
    has_media: bool = False


class NewsPublished(_ContentEvent):
    EVENT_TYPE: ClassVar[str] = "NewsPublished"

    news_id: UUID
    organisation_id: UUID
    location_id: UUID
    title: str
    has_attachments: bool = False
    published_at: UtcDatetime | None = None
    audience: Audience | None = Field(
        default=None, description="Who may see it: the organisation, one location or one group (`audience_id`). "
        "An organisation-wide item is announced once per location, each with that location's `location_id`.")
    audience_id: UUID | None = Field(default=None, description="The organisation, location or group addressed.")


class NewsletterPublished(_ContentEvent):
    EVENT_TYPE: ClassVar[str] = "NewsletterPublished"

    newsletter_id: UUID
    organisation_id: UUID
    location_id: UUID
    title: str
    has_attachments: bool = False
    published_at: UtcDatetime | None = None
    audience: Audience | None = Field(
        default=None, description="Who may see it: the organisation, one location or one group (`audience_id`). "
        "An organisation-wide item is announced once per location, each with that location's `location_id`.")
    audience_id: UUID | None = Field(default=None, description="The organisation, location or group addressed.")


class ObservationShared(_ContentEvent):
    """Staff shared a filled-in observation form about a child with the parents."""

    EVENT_TYPE: ClassVar[str] = "ObservationShared"

    observation_id: UUID
    organisation_id: UUID
    location_id: UUID
    child_id: UUID
    form_title: str
    shared_by_staff_id: UUID


class MediaUploaded(EventPayload):
    """Internal to timeline: a confirmed upload waits for processing (metadata stripped, display size and thumbnail
    made). Timeline consumes it itself, so processing retries and dead-letters like any consumer step."""

    TOPIC: ClassVar[str] = MEDIA_TOPIC
    KEY_FIELD: ClassVar[str] = "organisation_id"
    EVENT_TYPE: ClassVar[str] = "MediaUploaded"

    media_id: UUID
    organisation_id: UUID
    kind: Literal["photo", "video"] | None = Field(
        default=None, description="What the file's first bytes say it is (None: not checked yet, the store was away).")
