"""Attachment routes: start an upload (presigned, straight to S3), confirm it (checked), and download one of a
conversation's attachments through a short-lived URL."""

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from konnect_kit.internal import CallerDep
from konnect_kit.service import SessionDep

from messaging.api.models import AttachmentOut, DownloadOut, PresignedUploadOut, UploadIn, UploadOut
from messaging.media_runtime import MediaDep
from messaging.service_layer import attachments as use

router = APIRouter(tags=["messaging"])


@router.post("/message-attachments", response_model=UploadOut, status_code=201)
async def start_upload(body: UploadIn, who: CallerDep, session: SessionDep, media: MediaDep) -> UploadOut:
    attachment_id, upload = await use.start_upload(session, media.store, who, body.file_name, media.upload_lifetime)
    return UploadOut(attachment_id=attachment_id, upload=PresignedUploadOut(
        url=upload.url, fields=upload.fields, max_bytes=upload.max_bytes, expires_at=upload.expires_at))


@router.post("/message-attachments/{message_attachment_id}/confirm", response_model=AttachmentOut)
async def confirm_upload(message_attachment_id: UUID, who: CallerDep, session: SessionDep,
                         media: MediaDep) -> AttachmentOut:
    row = await use.confirm_upload(session, media.store, media.processor, who, message_attachment_id)
    return AttachmentOut(**use.describe(row))


@router.get("/conversations/{conversation_id}/attachments/{message_attachment_id}", response_model=DownloadOut)
async def download(conversation_id: UUID, message_attachment_id: UUID, who: CallerDep, session: SessionDep,
                   media: MediaDep,
                   variant: Annotated[Literal["original", "display", "thumbnail"], Query()] = "original",
                   ) -> DownloadOut:
    found = await use.download(session, media.store, who, conversation_id, message_attachment_id, variant,
                               media.url_lifetime)
    return DownloadOut(url=found.url, expires_at=found.expires_at, file_name=found.file_name,
                       content_type=found.content_type)
