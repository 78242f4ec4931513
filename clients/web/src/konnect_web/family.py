"""The family as the active account sees it (GET /me): children, their care types; cached per request."""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request

from konnect_web.gateway import LoggedOut
from konnect_web.web import gateway_of, session_of


class NotAParent(Exception):
    """An account on a screen that is not for its role (staff on a family screen): an explanation is shown."""


MESSAGING_ROLES = frozenset({"parent", "staff", "org_admin"})  # who the messaging API answers
STAFF_ROLES = frozenset({"staff", "org_admin"})  # the organisation's screens: evaluating, publishing


def roles_only(roles: frozenset[str]) -> Callable[[Request], Awaitable[None]]:
    """A dependency: logged out goes to the login, another role gets the explanation."""
    async def check(request: Request) -> None:
        account = session_of(request).account
        if account is None:
            raise LoggedOut
        if account.role not in roles:
            raise NotAParent
    return check


messaging_roles = roles_only(MESSAGING_ROLES)  # Berichten: parents, and staff and admins answering them
staff_only = roles_only(STAFF_ROLES)
parents_only = roles_only(frozenset({"parent"}))  # the family screens


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
