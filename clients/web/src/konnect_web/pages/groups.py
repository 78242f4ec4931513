"""Mijn groepen (staff and admins): the groups with the children placed there today; a photo series for a group
tagging its children (with who will not see it, and why), one message to the parents of a whole group, a diary
entry about one child."""

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from konnect_web.family import api, staff_only
from konnect_web.gateway import ApiError
from konnect_web.i18n import N_
from konnect_web.media import chosen_files
from konnect_web.pages.child import failed_processing, save_diary_entry, upload_photo
from konnect_web.pages.messages import attachments
from konnect_web.web import redirect, render

router = APIRouter(dependencies=[Depends(staff_only)])
MAX_SERIES_FILES = 50  # the API's limit of photos per series


async def _group(request: Request, group_id: str) -> dict[str, Any]:
    """The group and its children placed today (404 from the API for a group the account does not work on)."""
    return await api(request, "GET", f"/groups/{group_id}/children")


@router.get("/groups")
async def my_groups(request: Request, done: str = "", families: int = 0) -> Response:
    listed = (await api(request, "GET", "/groups"))["items"]
    found = await asyncio.gather(*(_group(request, g["group_id"]) for g in listed))
    return render(request, "groups.html", groups=found, done=done, families=families)


# A photo series ------------------------------------------------------------------------------------------------

def consent_notices(posted: dict[str, Any], names: dict[str, str]) -> list[tuple[str, str]]:
    """Who will not see the photos, and why, from the API's answer per photo: (text id, child's name) once per
    child. Built here rather than shown from the API's English sentences, so staff read them in their language."""
    without = {c for p in posted["photos"] for c in p["children_without_consent"]}
    withheld = {c for p in posted["photos"] for c in p["not_shown_to_families_of"]} - without
    return [(N_("%(name)s has no consent for sharing photos: only %(name)s's own family sees these photos."), name)
            for name in sorted(names.get(c, "?") for c in without)] + [
        (N_("%(name)s's family does not see these photos: another child in them has no consent for sharing "
            "photos."), name) for name in sorted(names.get(c, "?") for c in withheld)]


@router.get("/groups/{group_id}/photos")
async def photos_form(request: Request, group_id: str) -> Response:
    return render(request, "group_photos.html", g=await _group(request, group_id), tagged=[], caption="",
                  downloads="", error=None, notices=[], done=False)


@router.post("/groups/{group_id}/photos")
async def post_photos(request: Request, group_id: str) -> Response:
    form = await request.form()
    found = await _group(request, group_id)
    names = {c["child_id"]: c["first_name"] for c in found["children"]}
    tagged = [str(c) for c in form.getlist("children") if str(c) in names]
    caption = str(form.get("caption", "")).strip()
    downloads = str(form.get("downloads", ""))
    files = chosen_files(form.getlist("photos"))

    def page(status: int = 422, error: str = "", detail: str = "", notices: list | None = None) -> Response:
        return render(request, "group_photos.html", status, g=found, tagged=[] if not error else tagged,
                      caption="" if not error else caption, downloads="" if not error else downloads,
                      notices=notices or [], done=not error,
                      error={"title": error, "detail": detail} if error else None)

    if not tagged:
        return page(error=N_("Tick the children in the photos."))
    if not files:
        return page(error=N_("Choose one or more photos."))
    if len(files) > MAX_SERIES_FILES:
        return page(error=N_("At most 50 photos per series."))
    try:
        upload_ids = [await upload_photo(request, f) for f in files]
        # Staff hear now, not never, when a file is refused (damaged, a video where videos are off): families
        # would simply not see it. Bounded; what is still processing after the wait is posted and shows later.
        failed = await failed_processing(request, upload_ids)
        if failed:
            return page(error=N_("A photo or video could not be processed."), detail=failed)
        body: dict[str, Any] = {"group_id": group_id, "child_ids": tagged,
                                "photos": [{"upload_id": u} for u in upload_ids]}
        if caption:
            body["caption"] = caption
        if downloads in ("yes", "no"):  # otherwise the organisation's setting applies
            body["downloadable"] = downloads == "yes"
        posted = await api(request, "POST", "/timeline/series", json=body)
    except ApiError as error:
        if error.status >= 500 or error.status in (401, 404):
            raise
        return page(error=N_("The photos were not posted."), detail=error.message)
    # Shown on this answer, not after a redirect: the notices exist only in the API's answer to the post.
    return page(200, notices=consent_notices(posted, names))


# A message to the parents of the whole group ---------------------------------------------------------------------

@router.get("/groups/{group_id}/message")
async def message_form(request: Request, group_id: str) -> Response:
    return render(request, "group_message.html", g=await _group(request, group_id),
                  values={"subject": "", "text": ""}, error=None)


async def _send_staff_message(request: Request, template: str, context: dict[str, Any], path: str,
                              body: dict[str, Any]) -> dict[str, Any] | Response:
    """Validate the subject and text, upload the attachments and POST to `path`; the API's answer, or the form
    again (422) with the reason."""
    form = await request.form()
    values = {k: str(form.get(k, "")) for k in ("subject", "text")}

    def again(message: str, detail: str = "") -> Response:
        return render(request, template, 422, **context, values=values, error={"title": message, "detail": detail})

    if not values["subject"].strip() or not values["text"].strip():
        return again(N_("Fill in a subject and a message."))
    try:
        attachment_ids = await attachments(request, chosen_files(form.getlist("attachment")))
        return await api(request, "POST", path, json={**body, "subject": values["subject"], "text": values["text"],
                                                     "attachment_ids": attachment_ids})
    except ApiError as error:
        if error.status >= 500 or error.status in (401, 404):
            raise
        return again(N_("The message was not sent."), error.message)


@router.post("/groups/{group_id}/message")
async def message_group(request: Request, group_id: str) -> Response:
    found = await _group(request, group_id)
    sent = await _send_staff_message(request, "group_message.html", {"g": found}, "/group-messages",
                                     {"group_id": group_id})
    if isinstance(sent, Response):
        return sent
    return redirect(f"/groups?done=message&families={len(sent['conversation_ids'])}", request)


# A conversation with the parents of one child --------------------------------------------------------------------

def _child_of(found: dict[str, Any], child_id: str) -> dict[str, Any]:
    """The child among the group's children today; one not (or no longer) placed there is not found."""
    for child in found["children"]:
        if child["child_id"] == child_id:
            return child
    raise ApiError(404, "not_found", "No such child in this group.")


@router.get("/groups/{group_id}/children/{child_id}/message")
async def child_message_form(request: Request, group_id: str, child_id: str) -> Response:
    found = await _group(request, group_id)
    child = _child_of(found, child_id)
    return render(request, "child_message.html", g=found, child=child, values={"subject": "", "text": ""},
                  error=None)


@router.post("/groups/{group_id}/children/{child_id}/message")
async def message_child_parents(request: Request, group_id: str, child_id: str) -> Response:
    found = await _group(request, group_id)
    context = {"g": found, "child": _child_of(found, child_id)}
    created = await _send_staff_message(request, "child_message.html", context, "/conversations",
                                        {"child_id": child_id, "group_id": group_id})
    if isinstance(created, Response):
        return created
    return redirect(f"/conversations/{created['conversation_id']}?done=sent", request)


# A diary entry about one child -----------------------------------------------------------------------------------

@router.get("/groups/{group_id}/diary")
async def diary_form(request: Request, group_id: str, child: str = "") -> Response:
    return render(request, "group_diary.html", g=await _group(request, group_id), chosen=child, text="",
                  error=None)


@router.post("/groups/{group_id}/diary")
async def write_diary(request: Request, group_id: str) -> Response:
    form = await request.form()
    found = await _group(request, group_id)
    child_id, text = str(form.get("child", "")), str(form.get("text", ""))
    files = chosen_files(form.getlist("photos"))

    def again(message: str, detail: str = "") -> Response:
        return render(request, "group_diary.html", 422, g=found, chosen=child_id, text=text,
                      error={"title": message, "detail": detail})

    refused = await save_diary_entry(request, child_id, text, files, {c["child_id"] for c in found["children"]},
                                     again, raise_on=(401, 404))
    return refused or redirect("/groups?done=diary", request)
