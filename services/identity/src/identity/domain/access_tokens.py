"""Short-lived access tokens (JWT, HS256) that the gateway verifies; identity issues them."""

import uuid
from datetime import datetime, timedelta
from typing import Any

import jwt

ISSUER = "konnect-identity"
AUDIENCE = "konnect-api"


def issue_access_token(*, secret: str, account_id: str, role: str, organisation_id: str | None,
                       session_id: str | None, now: datetime, ttl: timedelta) -> str:
    claims: dict[str, Any] = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": account_id, "role": role, "org": organisation_id,
        "sid": session_id, "iat": int(now.timestamp()), "exp": int((now + ttl).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm="HS256")
