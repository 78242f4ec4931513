"""Timeline's own work queue: `MediaUploaded` → process the file (retried, then dead-lettered, by the kit)."""

from konnect_contracts.events.timeline import MediaUploaded
from konnect_kit.consumer import EventContext, Handlers

from timeline.media_runtime import Media
from timeline.service_layer import media_processing


def handlers(media: Media) -> Handlers:
    """The handlers with the app's media runtime (its processing pool)."""

    async def on_uploaded(ctx: EventContext, event: MediaUploaded) -> None:
        await media_processing.process(ctx.session, ctx.outbox, media, event.media_id)

    return {MediaUploaded: on_uploaded}
