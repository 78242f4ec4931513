"""The delivery log for operators: what was (or could not be) sent to an address, and why."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from konnect_kit.internal import CallerDep
from konnect_kit.service import SessionDep
from pydantic import BaseModel

from notifications.service_layer.deliveries import delivery_log

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
    rows = await delivery_log(session, who, recipient, limit, DeliveryOut.model_fields)
    return DeliveriesOut(items=[DeliveryOut.model_validate(row) for row in rows])
