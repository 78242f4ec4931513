"""Who is calling: bearer access tokens (JWT from identity) or the platform operator token; coarse role checks."""

import hmac
from typing import Annotated

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from konnect_kit.errors import ApiError
from konnect_kit.internal import Caller

ISSUER = "konnect-identity"
AUDIENCE = "konnect-api"
ROLES = ("org_admin", "staff", "parent", "erp")

bearer = HTTPBearer(auto_error=False, description="Access token from /api/v1/auth/login (or the operator token)")


def authenticated(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Caller:
    if credentials is None:
        raise ApiError(401, "unauthorized", "Log in first: no bearer token was sent.")
    settings = request.app.state.settings
    token = credentials.credentials
    if hmac.compare_digest(token.encode(), settings.platform_operator_token.encode()):
        return Caller("platform_operator", "platform-operator", None)
    try:
        claims = jwt.decode(token, settings.jwt_secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER,
                            options={"require": ["exp", "iat", "sub", "aud", "iss"]})
    except jwt.ExpiredSignatureError as exc:
        raise ApiError(401, "token_expired", "The access token has expired: refresh it.") from exc
    except jwt.PyJWTError as exc:
        raise ApiError(401, "invalid_token", "The access token is not valid.") from exc
    if claims.get("role") not in ROLES:
        raise ApiError(401, "invalid_token", "The access token is not valid.")
    return Caller(claims["role"], str(claims["sub"]), claims.get("org"), claims.get("sid"))


class RequireRole:
    def __init__(self, *roles: str) -> None:
        self.roles = roles

    def __call__(self, who: Annotated[Caller, Depends(authenticated)]) -> Caller:
        if who.role not in self.roles:
            raise ApiError(403, "forbidden", "Your role may not do this.")
        return who

