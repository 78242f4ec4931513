"""Media settings per organisation (administrators): downloads allowed, videos enabled, photo retention."""

from uuid import UUID

from fastapi import APIRouter
from konnect_kit.clock import ClockDep
from konnect_kit.internal import CallerDep
from konnect_kit.service import SessionDep

from timeline.api.location_models import MediaSettingsIn, MediaSettingsOut
from timeline.service_layer import media_settings
from timeline.service_layer.media_settings import MediaSettings

router = APIRouter(tags=["media settings"])


def _out(organisation_id: UUID, found: MediaSettings) -> MediaSettingsOut:
    return MediaSettingsOut(organisation_id=organisation_id, downloads_allowed=found.downloads_allowed,
                            videos_enabled=found.videos_enabled, photo_retention_months=found.photo_retention_months)


@router.get("/admin/organisations/{organisation_id}/media-settings", response_model=MediaSettingsOut,
            summary="Media settings of an organisation")
async def get_settings(organisation_id: UUID, who: CallerDep, session: SessionDep) -> MediaSettingsOut:
    """Defaults until set: no downloads, no videos, photos kept."""
    return _out(organisation_id, await media_settings.read(session, who, organisation_id))


@router.put("/admin/organisations/{organisation_id}/media-settings", response_model=MediaSettingsOut,
            summary="Change the media settings of an organisation")
async def put_settings(organisation_id: UUID, body: MediaSettingsIn, who: CallerDep, session: SessionDep,
                       clock: ClockDep) -> MediaSettingsOut:
    """Retention applies from the next daily run: photos and videos older than the months set are deleted."""
    wanted = MediaSettings(body.downloads_allowed, body.videos_enabled, body.photo_retention_months)
    return _out(organisation_id, await media_settings.change(session, who, organisation_id, wanted, clock.now()))
