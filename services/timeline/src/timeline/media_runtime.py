"""The timeline's media runtime: one S3 store and one processing pool per app (routes: `api.media_dep`)."""

from dataclasses import dataclass
from datetime import timedelta

from konnect_kit.media import MediaProcessor, MediaStore

from timeline.settings import Settings


@dataclass
class Media:
    store: MediaStore
    processor: MediaProcessor
    url_lifetime: timedelta
    upload_lifetime: timedelta

    async def start(self) -> None:
        """Nothing to start: the worker process is spawned on the first upload."""

    async def stop(self) -> None:
        self.processor.close()


def media_for(settings: Settings) -> Media:
    return Media(MediaStore(settings.s3), MediaProcessor(settings.s3, workers=settings.media_workers),
                 timedelta(seconds=settings.media_url_seconds), timedelta(seconds=settings.media_upload_seconds))
