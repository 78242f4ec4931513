"""Meldingen: the in-app inbox (newest first, more by cursor) with deep links, mark one or all read, and the
navigation's badges (unread notifications and messages), refreshed by a light htmx poll."""

import asyncio
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from konnect_web.family import MESSAGING_ROLES, api
from konnect_web.gateway import ApiError, LoggedOut
from konnect_web.web import redirect, render, session_of

router = APIRouter()
# The API's deep links are app paths; the portal serves the same paths (requests and absences in the overview).
DEEP_LINK = re.compile(
    r"^/(photos|diary|conversations|news|newsletters|observations|requests|absences)/[0-9a-fA-F-]{36}$")


def portal_path(link: str) -> str:
    """Where an inbox item leads in the portal; anything unknown (a newer API) to the inbox itself."""
    if not DEEP_LINK.match(link or ""):
        return "/inbox"
    if link.startswith(("/requests/", "/absences/")):
        return "/requests"
    return link


def _logged_in(request: Request) -> None:
    if session_of(request).account is None:
        raise LoggedOut


@router.get("/inbox")
async def inbox(request: Request, cursor: str | None = None) -> Response:
    _logged_in(request)
    params: dict[str, Any] = {"limit": 20}
    if cursor:
        params["cursor"] = cursor
    page = await api(request, "GET", "/inbox", params=params)
    for item in page["items"]:
        item["href"] = portal_path(item["link"])
    return render(request, "inbox.html", page=page)


@router.post("/inbox/read-all")
async def read_all(request: Request) -> Response:
    _logged_in(request)
    await api(request, "POST", "/inbox/read-all")
    return redirect("/inbox", request)


@router.post("/inbox/{item_id}/open")
async def open_item(request: Request, item_id: str) -> Response:
    """Marks the item read, then goes where it points (its link comes from the form, checked against the paths
    the portal serves, so a forged value cannot send the browser elsewhere)."""
    _logged_in(request)
    form = await request.form()
    await api(request, "POST", f"/inbox/{item_id}/read")
    return redirect(portal_path(str(form.get("link", ""))), request)


@router.get("/badges")
async def badges(request: Request) -> Response:
    """The navigation's counts as out-of-band swaps (htmx polls this; a page without script shows none)."""
    account = session_of(request).account
    if account is None:
        return Response(status_code=204)
    calls = [api(request, "GET", "/inbox/unread-count")]
    if account.role in MESSAGING_ROLES:
        calls.append(api(request, "GET", "/conversations", params={"limit": 1}))
    try:
        found = await asyncio.gather(*calls)
    except ApiError:
        return Response(status_code=204)  # a badge is a hint: the page stays as it is
    messages = found[1]["unread_total"] if len(found) > 1 else 0
    return render(request, "badges.html", inbox=found[0]["unread"], messages=messages)


@router.get("/requests/{request_id}")
@router.get("/absences/{request_id}")
async def decided(request: Request, request_id: str) -> Response:
    """A request's or absence's deep link (from the inbox or a mail): the overview shows it with its status."""
    return redirect("/requests", None)
