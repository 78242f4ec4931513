"""A parent's private iCalendar feed URL: turn on (or renew), see whether it is on, revoke; the feed itself."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response
from konnect_kit.clock import ClockDep
from konnect_kit.internal import CallerDep
from konnect_kit.service import KitDep, SessionDep
from pydantic import BaseModel, Field

from planning.service_layer import calendar_feed as use

router = APIRouter(tags=["calendar feed"])

FEED_PATH = "/api/v1/calendar-feeds/"


class FeedOn(BaseModel):
    url: str = Field(description="The private feed URL to add to Google, Apple or Outlook calendar. Shown once; "
                                 "renewing gives a new one and the old one stops working.")
    created_at: datetime


class FeedStatus(BaseModel):
    enabled: bool
    created_at: datetime | None


@router.post("/calendar-feed", response_model=FeedOn, status_code=201,
             summary="Turn on (or renew) my private calendar feed",
             responses={404: {"description": "No family known for this login"}})
async def turn_on(who: CallerDep, session: SessionDep, kit: KitDep) -> FeedOn:
    secret = await use.turn_on(session, who)
    base = kit.settings.public_api_base_url.rstrip("/")  # type: ignore[attr-defined]
    return FeedOn(url=f"{base}{FEED_PATH}{secret}", created_at=await use.status(session, who))  # type: ignore[arg-type]


@router.get("/calendar-feed", response_model=FeedStatus, summary="Is my calendar feed on?")
async def feed_status(who: CallerDep, session: SessionDep) -> FeedStatus:
    created = await use.status(session, who)
    return FeedStatus(enabled=created is not None, created_at=created)


@router.delete("/calendar-feed", status_code=204, summary="Revoke my calendar feed (its URL answers 404)",
               responses={404: {"description": "No feed is on"}})
async def revoke(who: CallerDep, session: SessionDep) -> Response:
    await use.revoke(session, who)
    return Response(status_code=204)


@router.get("/calendar-feeds/{secret}", summary="The calendar feed (iCalendar); the secret is the only key",
            response_class=Response, responses={200: {"content": {"text/calendar": {"schema": {"type": "string"}}}},
                                                404: {"description": "Unknown or revoked"}})
async def feed(secret: Annotated[str, Path(max_length=128, pattern=r"^[A-Za-z0-9_\-]+$")], session: SessionDep,
               clock: ClockDep) -> Response:
    text = await use.feed(session, secret, clock.now())
    return Response(text, media_type="text/calendar; charset=utf-8",
                    headers={"cache-control": "private, max-age=300", "x-robots-tag": "noindex"})
