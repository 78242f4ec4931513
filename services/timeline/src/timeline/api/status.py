"""`GET /timeline/status`: whether the timeline is open for this caller. It is, for everyone: the family feed,
a child's timeline and the group's photos are served. Apps released before the timeline shipped ask it before
showing the timeline tab, so it stays, answering `open`. Tiny on purpose: it shows how a service ships an endpoint
— this route, its line in the gateway's route table, `make openapi` — with no gateway code."""

from typing import Literal

from fastapi import APIRouter
from konnect_kit.internal import CallerDep
from pydantic import BaseModel, Field

router = APIRouter(tags=["timeline"])


class TimelineStatus(BaseModel):
    state: Literal["coming_soon", "open"] = Field(description="`open` once photos and diary entries are shown.")
    message: str = Field(description="A sentence an app can show.")

    model_config = {"json_schema_extra": {"examples": [
        {"state": "open", "message": "Photos and diary entries are in the family feed."}]}}


@router.get("/timeline/status", response_model=TimelineStatus, summary="Whether the timeline is open yet")
async def timeline_status(who: CallerDep) -> TimelineStatus:
    """Whether the caller's timeline (photos and diary entries of their children or groups) is open yet."""
    del who  # any logged-in caller may ask; the answer is the same for everyone
    return TimelineStatus(state="open", message="Photos and diary entries are in the family feed.")
