"""Attachment routes: start an upload (presigned S3 POST), confirm it (checked from the bytes), signed download."""

from uuid import UUID

from fastapi import APIRouter
from konnect_kit.clock import ClockDep
from konnect_kit.internal import CallerDep
from konnect_kit.service import SessionDep
from pydantic import BaseModel, Field

from timeline.api.location import item_out
from timeline.api.location_models import DownloadOut, ItemOut
from timeline.api.media_dep import MediaDep
from timeline.api.observation_models import ObservationOut
from timeline.api.observations import observation_out
from timeline.service_layer import location_attachments as attachments
from timeline.service_layer import location_items, observations
from timeline.service_layer.location_access import viewer_for

router = APIRouter(tags=["attachments"])

# A file name as shown and offered for download: no path separators, quotes or control characters.
FILE_NAME = r'^[^"\\/\x00-\x1f\x7f]+$'


class UploadIn(BaseModel):
    file_name: str = Field(min_length=1, max_length=200, pattern=FILE_NAME, examples=["nieuwsbrief-juni.pdf"])


class UploadOut(BaseModel):
    """POST the file to `url` as multipart form data: every field of `fields`, then the file as `file` (last)."""

    attachment_id: UUID | None = None
    url: str
    fields: dict[str, str]
    max_bytes: int
    expires_at: str = Field(description="Confirm before this moment; an upload never confirmed is deleted.")


def _upload_out(upload: attachments.PresignedUpload, attachment_id: UUID | None = None) -> UploadOut:
    return UploadOut(attachment_id=attachment_id, url=upload.url, fields=upload.fields, max_bytes=upload.max_bytes,
                     expires_at=upload.expires_at.isoformat())


def _download_out(found: attachments.Download) -> DownloadOut:
    return DownloadOut(url=found.url, expires_at=found.expires_at, file_name=found.file_name,
                       content_type=found.content_type)


@router.post("/admin/location/items/{item_id}/attachments", response_model=UploadOut, status_code=201,
             summary="Start uploading an attachment (e.g. a PDF) to an item")
async def start_item_upload(item_id: UUID, body: UploadIn, who: CallerDep, session: SessionDep, media: MediaDep,
                            clock: ClockDep) -> UploadOut:
    """A presigned upload bound to one key and the size limit; then confirm it. Families see it once confirmed."""
    viewer = await viewer_for(session, who, clock.now().date())
    attachment_id, upload = await attachments.start_item_upload(session, media, viewer, item_id,
                                                                body.file_name, clock.now())
    return _upload_out(upload, attachment_id)


@router.post("/admin/location/items/{item_id}/attachments/{attachment_id}/confirm", response_model=ItemOut,
             summary="Confirm an uploaded attachment")
async def confirm_item_upload(item_id: UUID, attachment_id: UUID, who: CallerDep, session: SessionDep,
                              media: MediaDep, clock: ClockDep) -> ItemOut:
    """The type is decided from the file's bytes (PDF, or a photo, which is stored without its metadata); a file
    that is not what it claims, too large or corrupt is refused (422) and deleted."""
    viewer = await viewer_for(session, who, clock.now().date())
    await attachments.confirm_item_upload(session, media.processor, viewer, item_id, attachment_id, clock.now())
    return await item_out(session, await location_items.managed_item(session, viewer, item_id))


@router.get("/location/items/{item_id}/attachments/{attachment_id}", response_model=DownloadOut,
            summary="Download an attachment (short-lived signed URL)")
async def download_item_attachment(item_id: UUID, attachment_id: UUID, who: CallerDep, session: SessionDep,
                                   media: MediaDep, clock: ClockDep) -> DownloadOut:
    """Issued only to those who may read the item; the URL serves this one file for a few minutes."""
    viewer = await viewer_for(session, who, clock.now().date())
    return _download_out(await attachments.item_download(session, media, viewer, item_id, attachment_id,
                                                         clock.now()))


@router.post("/observations/{observation_id}/attachment", response_model=UploadOut, status_code=201,
             summary="Start uploading the attachment of an observation")
async def start_observation_upload(observation_id: UUID, body: UploadIn, who: CallerDep, session: SessionDep,
                                   media: MediaDep, clock: ClockDep) -> UploadOut:
    """The author of the observation (or an administrator) attaches one file: a PDF or a photo."""
    viewer = await viewer_for(session, who, clock.now().date())
    upload = await attachments.start_observation_upload(session, media, viewer, observation_id,
                                                        body.file_name, clock.now())
    return _upload_out(upload)


@router.post("/observations/{observation_id}/attachment/confirm", response_model=ObservationOut,
             summary="Confirm the uploaded attachment of an observation")
async def confirm_observation_upload(observation_id: UUID, who: CallerDep, session: SessionDep, media: MediaDep,
                                     clock: ClockDep) -> ObservationOut:
    viewer = await viewer_for(session, who, clock.now().date())
    await attachments.confirm_observation_upload(session, media.processor, viewer, observation_id, clock.now())
    row = await observations.visible_observation(session, viewer, observation_id)
    return observation_out(row, (await attachments.ready_observation_attachments(session, [observation_id])).get(
        observation_id))


@router.get("/observations/{observation_id}/attachment", response_model=DownloadOut,
            summary="Download the attachment of an observation (short-lived signed URL)")
async def download_observation_attachment(observation_id: UUID, who: CallerDep, session: SessionDep,
                                          media: MediaDep, clock: ClockDep) -> DownloadOut:
    """Issued only to the child's parents and the organisation's staff; the URL serves this one file."""
    viewer = await viewer_for(session, who, clock.now().date())
    return _download_out(await attachments.observation_download(session, media, viewer, observation_id,
                                                                clock.now()))
