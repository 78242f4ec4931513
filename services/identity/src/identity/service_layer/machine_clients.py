"""ERP credentials: minting a client id and secret for an organisation, and exchanging them for a token."""

import secrets
from datetime import datetime, timedelta
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden, Unauthenticated
from konnect_kit.internal import Caller
from konnect_kit.tenancy import require_managed

from identity.db.machine_clients import active_client, add_client
from identity.domain import passwords
from identity.domain.access_tokens import issue_access_token


async def machine_token(session: Session, *, client_id: str, client_secret: str, jwt_secret: str,
                        now: datetime, ttl: timedelta) -> str:
    """An access token for the ERP role of the client's organisation; Unauthenticated for anything else."""
    client = await active_client(session, client_id)
    if client is None or not passwords.verify_password(client.secret_hash, client_secret):
        raise Unauthenticated("invalid_client", "Unknown client or wrong secret.")
    return issue_access_token(secret=jwt_secret, account_id=f"client:{client.client_id}", role="erp",
                              organisation_id=str(client.organisation_id), session_id=None, now=now, ttl=ttl)


async def create_machine_client(session: Session, who: Caller, *, organisation_id: UUID,
                                name: str) -> tuple[str, str]:
    """(client_id, client_secret) of new ERP credentials; the secret is shown once and stored hashed."""
    refusal = "Only an administrator of this organisation may create ERP credentials."
    if who.role == "erp":
        raise Forbidden("forbidden", refusal)  # a machine client never mints another one
    require_managed(who, organisation_id, refusal=refusal)
    client_id = f"erp-{secrets.token_hex(8)}"
    secret = secrets.token_urlsafe(32)
    await add_client(session, client_id=client_id, organisation_id=organisation_id, name=name,
                     secret_hash=passwords.hash_password(secret))
    return client_id, secret
