"""Per-organisation media settings: downloads allowed, videos enabled, photo retention in months."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.internal import Caller
from konnect_kit.tenancy import require_managed

from timeline.db import settings_queries as queries


@dataclass(frozen=True)
class MediaSettings:
    downloads_allowed: bool = False
    videos_enabled: bool = False
    photo_retention_months: int | None = None


DEFAULTS = MediaSettings()
"""What an organisation gets until an administrator chooses: no downloads, no videos, photos kept."""


async def settings_of(session: Session, organisation_id: UUID) -> MediaSettings:
    """What photo, video and download code asks before acting (the defaults when nothing was set)."""
    row = await queries.media_settings_of(session, organisation_id)
    if row is None:
        return DEFAULTS
    return MediaSettings(row.downloads_allowed, row.videos_enabled, row.photo_retention_months)


async def read(session: Session, who: Caller, organisation_id: UUID) -> MediaSettings:
    require_managed(who, organisation_id, refusal="Only administrators manage media settings.")
    return await settings_of(session, organisation_id)


async def change(session: Session, who: Caller, organisation_id: UUID, wanted: MediaSettings,
                 now: datetime) -> MediaSettings:
    require_managed(who, organisation_id, refusal="Only administrators manage media settings.")
    values = {"downloads_allowed": wanted.downloads_allowed, "videos_enabled": wanted.videos_enabled,
              "photo_retention_months": wanted.photo_retention_months, "updated_at": now}
    await queries.put_media_settings(session, organisation_id, values)
    return wanted
