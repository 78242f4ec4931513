"""The identity the gateway forwards to services, and the check that a call really came through it."""

import hmac
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Header, Request

from konnect_kit.errors import ApiError

INTERNAL_TOKEN_HEADER = "x-konnect-internal-token"
ACTOR_ROLE_HEADER = "x-konnect-actor-role"
ACTOR_ID_HEADER = "x-konnect-actor-id"
ACTOR_ORGANISATION_HEADER = "x-konnect-actor-organisation"

Role = Literal["platform_operator", "org_admin", "staff", "parent", "erp"]


@dataclass(frozen=True)
class Caller:
    """Who is asking, as established by the gateway; services check fine-grained rights from it."""

    role: Role
    actor_id: str
    organisation_id: str | None


def caller(
    request: Request,
    x_konnect_internal_token: Annotated[str | None, Header()] = None,
    x_konnect_actor_role: Annotated[str | None, Header()] = None,
    x_konnect_actor_id: Annotated[str | None, Header()] = None,
    x_konnect_actor_organisation: Annotated[str | None, Header()] = None,
) -> Caller:
    expected = request.app.state.kit.settings.internal_token
    if not x_konnect_internal_token or not hmac.compare_digest(x_konnect_internal_token, expected):
        raise ApiError(401, "unauthorized", "This service is reached through the gateway only.")
    if x_konnect_actor_role not in ("platform_operator", "org_admin", "staff", "parent", "erp"):
        raise ApiError(401, "unauthorized", "No caller identity was forwarded.")
    return Caller(x_konnect_actor_role, x_konnect_actor_id or "", x_konnect_actor_organisation or None)


CallerDep = Annotated[Caller, Depends(caller)]


def forwarded_headers(token: str, who: Caller) -> dict[str, str]:
    headers = {INTERNAL_TOKEN_HEADER: token, ACTOR_ROLE_HEADER: who.role, ACTOR_ID_HEADER: who.actor_id}
    if who.organisation_id:
        headers[ACTOR_ORGANISATION_HEADER] = who.organisation_id
    return headers
