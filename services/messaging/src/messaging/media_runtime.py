"""Messaging's media runtime: the S3 store and the processing pool of konnect_kit.media, reachable as `MediaDep`."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from konnect_kit.media import MediaProcessor, MediaStore

from messaging.settings import Settings


@dataclass
class Media:
    store: MediaStore
    processor: MediaProcessor
    url_lifetime: timedelta
    upload_lifetime: timedelta

    async def start(self) -> None:
        """Nothing to start: the worker process is spawned on the first confirmed upload."""

    async def stop(self) -> None:
        self.processor.close()


def media_for(settings: Settings) -> Media:
    return Media(MediaStore(settings.s3), MediaProcessor(settings.s3, workers=settings.media_workers),
                 timedelta(seconds=settings.media_url_seconds), timedelta(seconds=settings.media_upload_seconds))


async def get_media(request: Request) -> Media:
    return request.app.state.media


MediaDep = Annotated[Media, Depends(get_media)]
