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


_KONNECT = b"x-konnect-"
_TOKEN, _CLIENT_IP = INTERNAL_TOKEN_HEADER.encode(), CLIENT_IP_HEADER.encode()
_ROLE, _ACTOR, _ORGANISATION, _SESSION = (ACTOR_ROLE_HEADER.encode(), ACTOR_ID_HEADER.encode(),
                                          ACTOR_ORGANISATION_HEADER.encode(), ACTOR_SESSION_HEADER.encode())


def _gateway_headers(request: Request) -> dict[bytes, str]:
    """The gateway's headers (x-konnect-*), the first of each name, read in one pass over the raw headers.
    Why: `request.headers.get` builds a Headers object and scans every header again per name: six names cost
    ~16 us of a small read (py-spy on the inbox badge, bench/PROFILE-read-paths.md round 19). Six FastAPI Header
    parameters had cost a pydantic validation each on every call; they were never in the OpenAPI document."""
    found: dict[bytes, str] = {}
    for name, value in request.scope["headers"]:  # names come lower-cased (ASGI), as Starlette compares them
        if name.startswith(_KONNECT) and name not in found:
            found[name] = value.decode("latin-1")
    return found


def _through_gateway(request: Request, headers: dict[bytes, str]) -> GatewayCall:
    token = headers.get(_TOKEN)
    # Compared as bytes: a token header with a character beyond ASCII is a wrong token, not a TypeError (a 500).
    if not token or not hmac.compare_digest(token.encode("latin-1"),
                                            request.app.state.kit.settings.internal_token.encode()):
        raise ApiError(401, "unauthorized", "This service is reached through the gateway only.")
    return GatewayCall(client_ip=headers.get(_CLIENT_IP) or "unknown")


async def gateway_only(request: Request) -> GatewayCall:
    return _through_gateway(request, _gateway_headers(request))


async def caller(request: Request) -> Caller:
    headers = _gateway_headers(request)
    _through_gateway(request, headers)
    role = headers.get(_ROLE)
    if role not in ("platform_operator", "org_admin", "staff", "parent", "erp"):
        raise ApiError(401, "unauthorized", "No caller identity was forwarded.")
    return Caller(role, headers.get(_ACTOR) or "",  # type: ignore[arg-type]
                  headers.get(_ORGANISATION) or None, headers.get(_SESSION) or None)


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
