"""The identity the gateway forwards to services, and the check that a call really came through it."""

import hmac
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, Request

from konnect_kit.errors import ApiError

INTERNAL_TOKEN_HEADER = "x-konnect-internal-token"
ACTOR_ROLE_HEADER = "x-konnect-actor-role"
ACTOR_ID_HEADER = "x-konnect-actor-id"
ACTOR_ORGANISATION_HEADER = "x-konnect-actor-organisation"
ACTOR_SESSION_HEADER = "x-konnect-actor-session"
CLIENT_IP_HEADER = "x-konnect-client-ip"

Role = Literal["platform_operator", "org_admin", "staff", "parent", "erp"]


@dataclass(frozen=True)
class Caller:
    """Who is asking, as established by the gateway; services check fine-grained rights from it."""

    role: Role
    actor_id: str
    organisation_id: str | None
    session_id: str | None = None


@dataclass(frozen=True)
class GatewayCall:
    """A call the gateway forwarded without a logged-in caller (login, password reset, ...)."""

    client_ip: str


def _through_gateway(request: Request) -> GatewayCall:
    # Headers read straight from the request: six FastAPI Header parameters cost a pydantic validation each
    # on every call (py-spy: a tenth of a trivial route's time); they were never in the OpenAPI document.
    headers = request.headers
    token = headers.get(INTERNAL_TOKEN_HEADER)
    if not token or not hmac.compare_digest(token, request.app.state.kit.settings.internal_token):
        raise ApiError(401, "unauthorized", "This service is reached through the gateway only.")
    return GatewayCall(client_ip=headers.get(CLIENT_IP_HEADER) or "unknown")


async def gateway_only(request: Request) -> GatewayCall:
    return _through_gateway(request)


async def caller(request: Request) -> Caller:
    _through_gateway(request)
    headers = request.headers
    role = headers.get(ACTOR_ROLE_HEADER)
    if role not in ("platform_operator", "org_admin", "staff", "parent", "erp"):
        raise ApiError(401, "unauthorized", "No caller identity was forwarded.")
    return Caller(role, headers.get(ACTOR_ID_HEADER) or "",  # type: ignore[arg-type]
                  headers.get(ACTOR_ORGANISATION_HEADER) or None, headers.get(ACTOR_SESSION_HEADER) or None)


CallerDep = Annotated[Caller, Depends(caller)]
GatewayCallDep = Annotated[GatewayCall, Depends(gateway_only)]


def forwarded_headers(token: str, who: Caller | None, client_ip: str | None = None) -> dict[str, str]:
    headers = {INTERNAL_TOKEN_HEADER: token}
    if client_ip:
        headers[CLIENT_IP_HEADER] = client_ip
    if who is not None:
        headers[ACTOR_ROLE_HEADER] = who.role
        headers[ACTOR_ID_HEADER] = who.actor_id
        if who.organisation_id:
            headers[ACTOR_ORGANISATION_HEADER] = who.organisation_id
        if who.session_id:
            headers[ACTOR_SESSION_HEADER] = who.session_id
    return headers
