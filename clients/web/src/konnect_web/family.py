"""The family as the active account sees it (GET /me): children, their care types; cached per request."""

from typing import Any

from fastapi import Request

from konnect_web.gateway import LoggedOut
from konnect_web.web import gateway_of, session_of


class NotAParent(Exception):
    """A staff or office account on a parent's screen (their own screens are still to come)."""


async def parents_only(request: Request) -> None:
    """The family screens need a parent's account: logged out goes to the login, staff get an explanation."""
    account = session_of(request).account
    if account is None:
        raise LoggedOut
    if account.role != "parent":
        raise NotAParent


MESSAGING_ROLES = frozenset({"parent", "staff", "org_admin"})  # who the messaging API answers
STAFF_ROLES = frozenset({"staff", "org_admin"})  # the organisation's screens: evaluating, publishing


async def messaging_roles(request: Request) -> None:
    """Berichten: parents, and staff and admins answering them."""
    account = session_of(request).account
    if account is None:
        raise LoggedOut
    if account.role not in MESSAGING_ROLES:
        raise NotAParent


async def staff_only(request: Request) -> None:
    account = session_of(request).account
    if account is None:
        raise LoggedOut
    if account.role not in STAFF_ROLES:
        raise NotAParent


async def me(request: Request) -> dict[str, Any]:
    if not hasattr(request.state, "me"):
        request.state.me = await gateway_of(request).call(session_of(request), "GET", "/me")
    return request.state.me


async def children(request: Request) -> list[dict[str, Any]]:
    """The family's children, by first name; each with `care_type` of its current placement (or None)."""
    kids = sorted((await me(request)).get("children", []), key=lambda c: c["first_name"])
    for child in kids:
        placements = child.get("placements") or []
        child["care_type"] = placements[0]["care_type"] if placements else None
    return kids


async def api(request: Request, method: str, path: str, **kwargs: Any) -> Any:
    """A gateway call as the active account (the transparent refresh lives in Gateway.call)."""
    return await gateway_of(request).call(session_of(request), method, path, **kwargs)
