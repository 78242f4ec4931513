"""The delivery log for operators: what was (or could not be) sent to an address, and why."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from konnect_kit.errors import ApiError
from konnect_kit.internal import CallerDep
from konnect_kit.service import SessionDep
from pydantic import BaseModel
from sqlalchemy import func, select

from notifications.db.models import deliveries

router = APIRouter(prefix="/deliveries", tags=["deliveries"])


class DeliveryOut(BaseModel):
    """A delivery without its body: bodies may hold single-use links and are never served."""

    delivery_id: UUID
    event_id: UUID
    kind: str
    channel: str
    organisation_id: UUID | None
    recipient: str
    language: str
    subject: str
    status: Literal["pending", "sent", "failed"]
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


class DeliveriesOut(BaseModel):
    items: list[DeliveryOut]


@router.get("", response_model=DeliveriesOut)
async def list_deliveries(
    who: CallerDep,
    session: SessionDep,
    recipient: Annotated[str, Query(min_length=3, max_length=320, description="E-mail address")],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> DeliveriesOut:
    if who.role not in ("platform_operator", "org_admin"):
        raise ApiError(403, "forbidden", "Only operators and organisation admins can read the delivery log.")
    query = (select(*[deliveries.c[name] for name in DeliveryOut.model_fields])
             .where(func.lower(deliveries.c.recipient) == recipient.strip().lower())
             .order_by(deliveries.c.created_at.desc()).limit(limit))
    if who.role == "org_admin":
        # An admin sees the mail of their own organisation only, even for an address known elsewhere too.
        if not who.organisation_id:
            raise ApiError(403, "forbidden", "No organisation in the caller identity.")
        query = query.where(deliveries.c.organisation_id == UUID(who.organisation_id))
    rows = (await session.execute(query)).mappings().all()
    return DeliveriesOut(items=[DeliveryOut.model_validate(dict(row)) for row in rows])
