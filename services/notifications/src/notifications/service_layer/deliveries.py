"""The delivery log as operators and organisation admins may read it (an admin: their organisation only)."""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from konnect_kit.domain_errors import Forbidden
from konnect_kit.internal import Caller
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.models import deliveries


async def delivery_log(session: AsyncSession, who: Caller, recipient: str, limit: int,
                       columns: Iterable[str]) -> list[dict[str, Any]]:
    """The newest deliveries to `recipient` (case-insensitive), without their bodies: only `columns`."""
    if who.role not in ("platform_operator", "org_admin"):
        raise Forbidden("forbidden", "Only operators and organisation admins can read the delivery log.")
    query = (select(*[deliveries.c[name] for name in columns])
             .where(func.lower(deliveries.c.recipient) == recipient.strip().lower())
             .order_by(deliveries.c.created_at.desc()).limit(limit))
    if who.role == "org_admin":
        # An admin sees the mail of their own organisation only, even for an address known elsewhere too.
        if not who.organisation_id:
            raise Forbidden("forbidden", "No organisation in the caller identity.")
        query = query.where(deliveries.c.organisation_id == UUID(who.organisation_id))
    return [dict(row) for row in (await session.execute(query)).mappings().all()]
