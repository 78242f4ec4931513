"""Short-lived signed URLs of one media item's objects; called only after the caller's visibility check."""

from dataclasses import dataclass
from datetime import datetime

from konnect_kit.media import DISPLAY, ORIGINAL, THUMBNAIL, object_key

from timeline.media_runtime import Media


@dataclass(frozen=True)
class Urls:
    thumbnail: str
    display: str
    """For a photo the display size (up to 1600 px); for a video the poster frame."""
    video: str | None
    expires_at: datetime


def thumbnail(media: Media, base: str, now: datetime) -> str:
    return media.store.presign_download(object_key(base, THUMBNAIL), media.url_lifetime, now=now)


def urls(media: Media, base: str, kind: str, now: datetime) -> Urls:
    video = media.store.presign_download(object_key(base, ORIGINAL), media.url_lifetime, now=now) \
        if kind == "video" else None
    return Urls(thumbnail(media, base, now),
                media.store.presign_download(object_key(base, DISPLAY), media.url_lifetime, now=now), video,
                now + media.url_lifetime)


def original(media: Media, base: str, file_name: str, now: datetime) -> str:
    """The clean original (metadata stripped) as a download."""
    return media.store.presign_download(object_key(base, ORIGINAL), media.url_lifetime, file_name=file_name, now=now)
