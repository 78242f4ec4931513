"""Nieuws plaatsen (staff and admins): a news item or newsletter for the organisation, one location or one group,
with a PDF or photo attached; families see it on Mijn locatie."""

import asyncio
from html import escape
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from konnect_web.family import api, me, staff_only
from konnect_web.gateway import ApiError
from konnect_web.i18n import N_
from konnect_web.media import chosen_files, media_of, plain_file_name
from konnect_web.web import redirect, render

router = APIRouter(dependencies=[Depends(staff_only)])
KINDS = ("news", "newsletter")


def as_html(text: str) -> str:
    """Plain text as the API's rich text: paragraphs on blank lines, line breaks kept, everything escaped."""
    paragraphs = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return "".join(f"<p>{escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


async def _audiences(request: Request) -> dict[str, Any]:
    """Where an item can go: the organisation, its locations, and the groups the account works on (staff) or
    manages (admins: every group, also one nobody is rostered on yet)."""
    found, places, groups = await asyncio.gather(me(request), api(request, "GET", "/location"),
                                                 api(request, "GET", "/groups"))
    return {"organisation": found["account"]["organisation"], "locations": places["items"],
            "groups": sorted(({"group_id": g["group_id"], "name": g["name"]} for g in groups["items"]),
                             key=lambda g: g["name"])}


async def _page(request: Request, values: dict[str, str], error: dict | None = None, done: str = "",
                status: int = 200) -> Response:
    return render(request, "publish.html", status, values=values, error=error, done=done,
                  **await _audiences(request))


@router.get("/publish")
async def publish_form(request: Request, done: str = "") -> Response:
    return await _page(request, {"kind": "news", "title": "", "text": "", "audience": "organisation"}, done=done)


@router.post("/publish")
async def publish(request: Request) -> Response:
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("kind", "title", "text", "audience")}
    files = chosen_files(form.getlist("attachment"))
    where = await _audiences(request)
    organisation_id = where["organisation"]["organisation_id"]
    audience, _, audience_id = values["audience"].partition(":")
    allowed = {("location", p["location_id"]) for p in where["locations"]} | \
        {("group", g["group_id"]) for g in where["groups"]}
    if audience == "organisation":
        audience_id = organisation_id
    elif (audience, audience_id) not in allowed:
        return await _page(request, values, {"title": N_("Choose who may read it.")}, status=422)
    if values["kind"] not in KINDS or not values["title"].strip() or not values["text"].strip():
        return await _page(request, values, {"title": N_("Fill in a title and a text.")}, status=422)
    try:
        item = await api(request, "POST", "/admin/location/items", json={
            "organisation_id": organisation_id, "kind": values["kind"], "title": values["title"].strip(),
            "body": as_html(values["text"]), "audience": audience, "audience_id": audience_id})
        for file in files[:1]:
            upload = await api(request, "POST", f"/admin/location/items/{item['item_id']}/attachments",
                               json={"file_name": plain_file_name(file.filename)})
            await media_of(request).send(upload, file)
            await api(request, "POST",
                      f"/admin/location/items/{item['item_id']}/attachments/{upload['attachment_id']}/confirm")
    except ApiError as error:
        if error.status >= 500 or error.status in (401, 404):
            raise
        return await _page(request, values, {"title": N_("It was not published."), "detail": error.message},
                           status=422)
    return redirect("/publish?done=published", request)
