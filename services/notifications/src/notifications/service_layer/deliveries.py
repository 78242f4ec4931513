"""The delivery log as operators and organisation admins may read it (an admin: their organisation only)."""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden
from konnect_kit.internal import Caller

from notifications.db.deliveries import deliveries_to


async def delivery_log(session: Session, who: Caller, recipient: str, limit: int,
                       columns: Iterable[str]) -> list[dict[str, Any]]:
    """The newest deliveries to `recipient` (case-insensitive), without their bodies: only `columns`."""
    if who.role not in ("platform_operator", "org_admin"):
        raise Forbidden("forbidden", "Only operators and organisation admins can read the delivery log.")
    organisation_id = None
    if who.role == "org_admin":
        # An admin sees the mail of their own organisation only, even for an address known elsewhere too.
        if not who.organisation_id:
            raise Forbidden("forbidden", "No organisation in the caller identity.")
        organisation_id = UUID(who.organisation_id)
    return await deliveries_to(session, recipient, limit=limit, columns=columns, organisation_id=organisation_id)
