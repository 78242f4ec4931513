"""Overig: own data and language, password, notification settings, the children's consents, accounts on this
device (switch, add, log out, log out everywhere)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from konnect_web.family import api, children
from konnect_web.gateway import ApiError
from konnect_web.i18n import N_
from konnect_web.session import LANGUAGES
from konnect_web.web import redirect, render, session_of

router = APIRouter()

DONE = {"saved": N_("Saved."), "password": N_("Your password has been changed.")}


async def _page(request: Request, status: int = 200, **extra: object) -> Response:
    me = await api(request, "GET", "/account")
    try:
        notify = await api(request, "GET", "/notification-settings")
    except ApiError:
        notify = {}  # the notifications service may be away: the rest of the page still works
    notifications = notify.get("items", [])
    calendar_feed = None
    if session_of(request).account and session_of(request).account.role == "parent":
        try:
            calendar_feed = await api(request, "GET", "/calendar-feed")
        except ApiError:
            calendar_feed = None  # planning may be away: the rest of the page still works
    kids = []
    for child in await children(request):
        kids.append({**child, "consents": await api(request, "GET", f"/children/{child['child_id']}/consents")})
    context = {"me": me, "notifications": notifications, "message_preview": notify.get("message_preview", False),
               "email_problem": notify.get("email_problem"), "kids": kids, "calendar_feed": calendar_feed,
               "feed_url": None, "done": None, "error": None, **extra}
    return render(request, "profile.html", status, **context)


@router.get("/profile")
async def profile(request: Request, done: str = "") -> Response:
    return await _page(request, done=DONE.get(done))


@router.post("/profile")
async def save_profile(request: Request, display_name: Annotated[str, Form()], phone: Annotated[str, Form()] = "",
                       language: Annotated[str, Form()] = "nl") -> Response:
    body = {"display_name": display_name.strip(), "phone": phone.strip() or None,
            "language": language if language in LANGUAGES else "nl"}
    try:
        await api(request, "PATCH", "/account", json=body)
    except ApiError as refused:
        if refused.status >= 500:
            raise
        return await _page(request, 400, error=refused.message)
    state = session_of(request)
    state.lang, state.dirty = body["language"], True
    if state.account:
        state.account.name = body["display_name"]
    return redirect("/profile?done=saved")


@router.post("/profile/password")
async def change_password(request: Request, current_password: Annotated[str, Form()],
                          new_password: Annotated[str, Form()]) -> Response:
    try:
        await api(request, "POST", "/auth/password/change",
                  json={"current_password": current_password, "new_password": new_password})
    except ApiError as refused:
        if refused.status >= 500:
            raise
        message = (N_("The current password is incorrect.") if refused.status in (400, 401, 403) else
                   N_("This password is too short or too simple. Use at least 10 characters."))
        return await _page(request, 400, password_error=message)
    return redirect("/profile?done=password")


@router.post("/profile/notifications")
async def save_notifications(request: Request) -> Response:
    form = await request.form()
    current = (await api(request, "GET", "/notification-settings"))["items"]
    items = [{"kind": s["kind"], "email": form.get(f"email_{s['kind']}") == "on",
              "push": form.get(f"push_{s['kind']}") == "on"} for s in current]
    await api(request, "PUT", "/notification-settings",
              json={"items": items, "message_preview": form.get("message_preview") == "on"})
    return redirect("/profile?done=saved")


@router.post("/profile/notifications/mail-again")
async def mail_me_again(request: Request) -> Response:
    await api(request, "PUT", "/notification-settings", json={"mail_me_again": True})
    return redirect("/profile?done=saved")


@router.post("/profile/calendar-feed")
async def calendar_feed(request: Request, action: Annotated[str, Form()]) -> Response:
    """Turn the private calendar link on, renew it (the old link stops working) or turn it off.

    The link is shown once, in this answer, as the API gives it only when it is made: it is a key."""
    if action == "off":
        try:
            await api(request, "DELETE", "/calendar-feed")
        except ApiError as refused:
            if refused.status != 404:  # already off (another device): the page says so
                raise
        return redirect("/profile?done=saved#calendar-feed")
    made = await api(request, "POST", "/calendar-feed")
    response = await _page(request, feed_url=made["url"])
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/children/{child_id}/consents/{kind}")
async def consent(request: Request, child_id: str, kind: str, granted: Annotated[str, Form()]) -> Response:
    await api(request, "PUT", f"/children/{child_id}/consents/{kind}", json={"granted": granted == "yes"})
    return redirect("/profile?done=saved")
