"""Media through the portal: a sealed address (/media/<token>) streams the photo or file it stands for."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from konnect_web.media import media_of

router = APIRouter()


@router.get("/media/{token}")
async def sealed(request: Request, token: str) -> Response:
    data = media_of(request).open(request, token)
    if data is None:  # forged, expired, or sealed for an account no longer on this device
        return Response(status_code=404)
    return await media_of(request).stream(data["u"], data.get("f"))
