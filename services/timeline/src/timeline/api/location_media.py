"""The media bucket and processing pool My location routes use (held by the app: one per process)."""

from typing import Annotated

from fastapi import Depends, Request
from konnect_kit.media import MediaProcessor, MediaStore


class LocationMedia:
    """Store and processor, started and stopped with the app (the processor's worker pool closes on stop)."""

    def __init__(self, store: MediaStore, processor: MediaProcessor) -> None:
        self.store, self.processor = store, processor

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        self.processor.close()


async def get_media(request: Request) -> LocationMedia:
    return request.app.state.location_media


MediaDep = Annotated[LocationMedia, Depends(get_media)]
