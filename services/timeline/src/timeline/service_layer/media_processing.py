"""The processing step of a confirmed upload, run by timeline's own consumer of `MediaUploaded`.

A refused file (corrupt, a bomb the header did not show, an over-long video) is marked failed with the reason, for
the uploader (`GET /timeline/uploads/{id}`) and the staff who posted it; families never see it. A store failure is
raised: the consumer retries with backoff and then dead-letters the event (the raw upload is kept for a replay);
the client never sees a 5xx. Processing runs without a row lock (it takes seconds); the result is written under
one, so a series posted meanwhile and this step agree on who announces the photo.
"""

from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.media import MediaRefused
from konnect_kit.outbox import Outbox

from timeline.db import upload_queries as uploads
from timeline.media_runtime import Media
from timeline.service_layer import photos, timeline_uploads
from timeline.service_layer.media_settings import settings_of


async def process(session: Session, outbox: Outbox, media: Media, media_id: UUID) -> None:
    row = await uploads.upload(session, media_id)
    if row is None or row.processing != "processing":
        return  # deleted meanwhile (its deadline passed), or already done by an earlier delivery
    videos = (await settings_of(session, row.organisation_id)).videos_enabled
    values: dict = {}
    try:
        done = await media.processor.process(row.media_base, timeline_uploads.accepted_kinds(videos))
    except MediaRefused as refusal:
        error = timeline_uploads.refused(refusal)
        values = {"processing": "failed", "failure_code": error.code, "failure_message": error.message}
    else:
        values = {"processing": "ready", "kind": done.kind, "original_type": done.original_type,
                  "size_bytes": done.size_bytes, "width": done.width, "height": done.height,
                  "duration_seconds": done.duration_seconds}
    status = await uploads.lock_status(session, media_id)
    if status is None:
        await media.store.delete_prefix(row.media_base)  # the janitor removed the row while we processed
        return
    await uploads.change(session, media_id, values)
    if values["processing"] == "ready" and status == "attached":
        await photos.announce(session, outbox, media_id)  # posted while processing: families may see it now
