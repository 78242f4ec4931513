"""Mijn kind: the family's feed (photos and diary, newest first, more by cursor), a photo series to page through,
full size and download where allowed, one diary entry, and writing a diary entry with photos."""

import asyncio
import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from konnect_web.family import api, children, parents_only
from konnect_web.gateway import ApiError
from konnect_web.i18n import N_
from konnect_web.media import chosen_files, media_of
from konnect_web.web import redirect, render

router = APIRouter(dependencies=[Depends(parents_only)])
PAGE = 10
MAX_DIARY_FILES = 10  # the API's limit of photos per entry
# Processing a parent's photo takes well under a second; waiting this long lets the entry show with its photo
# right after saving. Past it the entry is saved anyway and the photo appears once ready.
PROCESSING_WAIT_S = 8.0


def _sealed(request: Request, media: list[dict[str, Any]]) -> None:
    """Each photo's or video's signed URLs as portal addresses (thumb, display, video)."""
    seal = media_of(request).seal
    for item in media:
        item["thumb"] = seal(request, item.get("thumbnail_url"))
        item["display"] = seal(request, item.get("display_url"))
        item["video"] = seal(request, item.get("video_url"))


def _sealed_series(request: Request, series: dict[str, Any]) -> dict[str, Any]:
    _sealed(request, series["photos"])
    return series


def _sealed_entry(request: Request, entry: dict[str, Any]) -> dict[str, Any]:
    _sealed(request, entry["media"])
    return entry


async def _feed(request: Request, cursor: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": PAGE}
    if cursor:
        params["cursor"] = cursor
    feed = await api(request, "GET", "/timeline/feed", params=params)
    for item in feed["items"]:
        if item.get("series"):
            _sealed_series(request, item["series"])
        if item.get("diary_entry"):
            _sealed_entry(request, item["diary_entry"])
    return feed


@router.get("/child")
async def my_child(request: Request, cursor: str | None = None, done: str = "") -> Response:
    feed = await _feed(request, cursor)
    if request.headers.get("hx-request") == "true" and cursor:
        return render(request, "feed_items.html", feed=feed)
    if not cursor and feed["items"]:
        # The "new" marks are shown on this page once; the next visit counts from now.
        await api(request, "PUT", "/timeline/feed/seen")
    return render(request, "child.html", feed=feed, kids=await children(request), done=done, first=not cursor)


@router.get("/photos/{series_id}")
async def series(request: Request, series_id: str, n: int = 0) -> Response:
    found = _sealed_series(request, await api(request, "GET", f"/timeline/series/{series_id}"))
    photos = found["photos"]
    if not photos:
        raise ApiError(404, "not_found", "No photos")
    n = min(max(n, 0), len(photos) - 1)
    return render(request, "series.html", series=found, photo=photos[n], n=n, total=len(photos))


@router.get("/photos/{series_id}/{photo_id}/download")
async def download(request: Request, series_id: str, photo_id: str) -> Response:
    """The original, as a download (the API refuses with 403 where downloads are not allowed)."""
    found = await api(request, "GET", f"/timeline/photos/{photo_id}/download")
    return await media_of(request).stream(found["url"], found["file_name"], found["content_type"])


@router.get("/diary/new")
async def diary_form(request: Request, child: str = "") -> Response:
    return render(request, "diary_new.html", kids=await children(request), chosen=child, text="", error=None)


@router.get("/diary/{entry_id}")
async def diary_entry(request: Request, entry_id: str) -> Response:
    entry = _sealed_entry(request, await api(request, "GET", f"/timeline/diary/{entry_id}"))
    return render(request, "diary_entry.html", entry=entry)


@router.post("/diary/new")
async def write_diary(request: Request) -> Response:
    form = await request.form()
    kids = await children(request)
    child_id, text = str(form.get("child", "")), str(form.get("text", ""))
    files = chosen_files(form.getlist("photos"))

    def again(message: str, detail: str = "") -> Response:
        return render(request, "diary_new.html", 422, kids=kids, chosen=child_id, text=text,
                      error={"title": message, "detail": detail})

    refused = await save_diary_entry(request, child_id, text, files, {k["child_id"] for k in kids}, again,
                                     raise_on=(401, 403, 404))
    return refused or redirect("/child?done=diary", request)


async def save_diary_entry(request: Request, child_id: str, text: str, files: list[Any], allowed: set[str],
                           again: Callable[..., Response], *, raise_on: tuple[int, ...]) -> Response | None:
    """Checks, uploads and posts one diary entry (a parent's or staff's): the form again with the reason when
    refused, None when saved. Answers in `raise_on` (and 5xx) go to the app's error pages."""
    if child_id not in allowed:
        return again(N_("Choose a child."))
    if not text.strip():
        return again(N_("Write a few words."))
    if len(files) > MAX_DIARY_FILES:
        return again(N_("At most 10 photos per entry."))
    try:
        upload_ids = [await upload_photo(request, f) for f in files]
        failed = await failed_processing(request, upload_ids)
        if failed:
            return again(N_("A photo could not be processed."), failed)
        await api(request, "POST", f"/timeline/children/{child_id}/diary",
                  json={"text": text, "upload_ids": upload_ids})
    except ApiError as error:
        if error.status >= 500 or error.status in raise_on:
            raise
        return again(N_("The diary entry was not saved."), error.message)
    return None


async def upload_photo(request: Request, file: Any) -> str:
    """Presigned upload: ask for a form, stream the file to the store, confirm (checked and cleaned there)."""
    form = await api(request, "POST", "/timeline/uploads")
    await media_of(request).send(form, file)
    await api(request, "POST", f"/timeline/uploads/{form['upload_id']}/confirm")
    return str(form["upload_id"])


async def failed_processing(request: Request, upload_ids: list[str]) -> str:
    """Wait (bounded) until the uploads are processed; the failure message of the first refused one, else ""."""
    deadline = time.monotonic() + PROCESSING_WAIT_S
    pending = list(upload_ids)
    while pending and time.monotonic() < deadline:
        states = [await api(request, "GET", f"/timeline/uploads/{upload_id}") for upload_id in pending]
        for state in states:
            if state["status"] == "failed":
                return str((state.get("failure") or {}).get("message") or "")
        pending = [s["upload_id"] for s in states if s["status"] != "ready"]
        if pending:
            await asyncio.sleep(0.2)
    return ""
