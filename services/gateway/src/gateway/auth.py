"""Who is calling: bearer access tokens (JWT from identity) or the platform operator token (roles: the route table)."""

import hmac
import time

import jwt
from konnect_kit.errors import ApiError
from konnect_kit.internal import Caller

from gateway.ended_sessions import EndedSessions

ISSUER = "konnect-identity"
AUDIENCE = "konnect-api"
ROLES = ("org_admin", "staff", "parent", "erp")

class TokenVerifier:
    """Checks access tokens; remembers the ones it has checked until they expire.

    An app sends the same token with every call for its whole lifetime, and the signature check and
    claim parsing are a large part of the edge's own cost per call. A remembered token is the exact
    same string, so it is still checked for expiry on every use but not re-verified.
    """

    def __init__(self, jwt_secret: str, operator_token: str, ended: EndedSessions, *,
                 max_remembered: int = 20_000) -> None:
        self.jwt_secret = jwt_secret
        self.ended = ended
        self.operator_token = operator_token.encode()
        self.max_remembered = max_remembered
        self._checked: dict[str, tuple[Caller, float]] = {}

    def caller(self, token: str) -> Caller:
        """The caller the token stands for; ApiError(401) for anything not valid right now."""
        who = self._verified(token)
        if who.session_id is not None and who.session_id in self.ended:
            raise ApiError(401, "session_ended", "The session has ended. Log in again.")
        return who

    def _verified(self, token: str) -> Caller:
        remembered = self._checked.get(token)
        if remembered is not None:
            if time.time() < remembered[1]:
                return remembered[0]
            del self._checked[token]
        if hmac.compare_digest(token.encode(), self.operator_token):
            return Caller("platform_operator", "platform-operator", None)
        try:
            claims = jwt.decode(token, self.jwt_secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER,
                                options={"require": ["exp", "iat", "sub", "aud", "iss"]})
        except jwt.ExpiredSignatureError as exc:
            raise ApiError(401, "token_expired", "The access token has expired: refresh it.") from exc
        except jwt.PyJWTError as exc:
            raise ApiError(401, "invalid_token", "The access token is not valid.") from exc
        if claims.get("role") not in ROLES:
            raise ApiError(401, "invalid_token", "The access token is not valid.")
        who = Caller(claims["role"], str(claims["sub"]), claims.get("org"), claims.get("sid"))
        if len(self._checked) >= self.max_remembered:
            self._checked.clear()  # cheap bound; the next calls re-verify once
        self._checked[token] = (who, float(claims["exp"]))
        return who
