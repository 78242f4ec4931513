"""Who is calling: bearer-token authentication and coarse role checks at the edge."""

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from konnect_kit.errors import ApiError
from konnect_kit.internal import Caller

bearer = HTTPBearer(auto_error=False, description="Access token (JWT) or platform operator token")


def authenticated(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Caller:
    if credentials is None:
        raise ApiError(401, "unauthorized", "Log in first: no bearer token was sent.")
    settings = request.app.state.settings
    if hmac.compare_digest(credentials.credentials, settings.platform_operator_token):
        return Caller("platform_operator", "platform-operator", None)
    raise ApiError(401, "unauthorized", "The token is not valid.")


def platform_operator(who: Annotated[Caller, Depends(authenticated)]) -> Caller:
    if who.role != "platform_operator":
        raise ApiError(403, "forbidden", "Only the platform operator may do this.")
    return who


PlatformOperator = Annotated[Caller, Depends(platform_operator)]
