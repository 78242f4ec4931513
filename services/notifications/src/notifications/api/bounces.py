"""Bounce and complaint intake for the platform operator: the address is no longer mailed."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from konnect_kit.internal import CallerDep
from konnect_kit.service import SessionDep
from pydantic import BaseModel, Field

from notifications.service_layer.bounces import ReportKind, report

router = APIRouter(tags=["deliveries"])


class BounceIn(BaseModel):
    # Any address we may have mailed (also test and local domains, which the directory's Email type refuses).
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    kind: ReportKind = Field(description="bounce: the mailbox does not exist or takes no mail; complaint: the "
                                         "recipient reported the mail as spam")
    detail: str | None = Field(default=None, max_length=1000, examples=["550 5.1.1 user unknown"])


class SuppressionOut(BaseModel):
    email: str
    reason: Literal["bounced", "complained", "refused"]
    detail: str | None
    since: datetime


@router.post("/mail-bounces", response_model=SuppressionOut,
             summary="Report a bounced or complaining address: no more mail goes to it")
async def report_bounce(body: BounceIn, who: CallerDep, session: SessionDep) -> SuppressionOut:
    found = await report(session, who.role, body.email, body.kind, body.detail)
    return SuppressionOut(email=found.address, reason=found.reason, detail=found.detail,  # type: ignore[arg-type]
                          since=found.since)
