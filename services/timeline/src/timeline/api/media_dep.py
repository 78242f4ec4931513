"""`MediaDep`: the app's media runtime (S3 store, processing pool) for a route."""

from typing import Annotated

from fastapi import Depends, Request

from timeline.media_runtime import Media


async def get_media(request: Request) -> Media:
    return request.app.state.media


MediaDep = Annotated[Media, Depends(get_media)]
