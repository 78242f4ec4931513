"""Mijn locatie: contact data, team, news, newsletters and info pages (sanitised HTML from the API) with their
attachments, and the observations shared about each child."""

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from konnect_web.family import api, children, parents_only
from konnect_web.gateway import ApiError
from konnect_web.media import media_of
from konnect_web.web import render

router = APIRouter(dependencies=[Depends(parents_only)])
KINDS = {"news": "/location/news", "newsletter": "/location/newsletters", "info_page": "/location/info-pages"}
PATHS = {"news": "news", "newsletter": "newsletters", "info_page": "info"}  # portal path of each kind's item


@router.get("/location")
async def location(request: Request) -> Response:
    places, team, news, letters, pages = await asyncio.gather(
        api(request, "GET", "/location"), api(request, "GET", "/location/team"),
        api(request, "GET", "/location/news", params={"limit": 10}),
        api(request, "GET", "/location/newsletters", params={"limit": 5}),
        api(request, "GET", "/location/info-pages", params={"limit": 20}))
    for member in team["items"]:
        member["photo"] = media_of(request).seal(request, member.get("photo_url"))
    return render(request, "location.html", places=places["items"], team=team["items"], news=news,
                  letters=letters, pages=pages, paths=PATHS)


@router.get("/location/{kind}")
async def more(request: Request, kind: str, cursor: str | None = None) -> Response:
    """An older page of news or newsletters (the location page shows the newest)."""
    code = {"news": "news", "newsletters": "newsletter"}.get(kind)
    if code is None:
        raise ApiError(404, "not_found", "No such list")
    params: dict[str, Any] = {"limit": 20}
    if cursor:
        params["cursor"] = cursor
    page = await api(request, "GET", KINDS[code], params=params)
    return render(request, "location_items.html", kind=code, page=page, paths=PATHS, slug=kind)


@router.get("/news/{item_id}")
@router.get("/newsletters/{item_id}")
@router.get("/info/{item_id}")
async def item(request: Request, item_id: str) -> Response:
    found = await api(request, "GET", f"/location/items/{item_id}")
    return render(request, "location_item.html", item=found)


@router.get("/location/items/{item_id}/attachments/{attachment_id}")
async def item_attachment(request: Request, item_id: str, attachment_id: str) -> Response:
    found = await api(request, "GET", f"/location/items/{item_id}/attachments/{attachment_id}")
    return await media_of(request).stream(found["url"], found["file_name"], found["content_type"])


@router.get("/observations")
async def observations(request: Request) -> Response:
    kids = await children(request)
    found = await asyncio.gather(*(api(request, "GET", f"/children/{k['child_id']}/observations") for k in kids))
    return render(request, "observations.html", per_child=[
        {"child": k, "items": sorted(f["items"], key=lambda o: o["shared_at"], reverse=True)}
        for k, f in zip(kids, found, strict=True)])


@router.get("/observations/{observation_id}")
async def observation(request: Request, observation_id: str) -> Response:
    found = await api(request, "GET", f"/observations/{observation_id}")
    kids = {c["child_id"]: c for c in await children(request)}
    return render(request, "observation.html", o=found, kid=kids.get(found["child_id"]))


@router.get("/observations/{observation_id}/attachment")
async def observation_attachment(request: Request, observation_id: str) -> Response:
    found = await api(request, "GET", f"/observations/{observation_id}/attachment")
    return await media_of(request).stream(found["url"], found["file_name"], found["content_type"])
