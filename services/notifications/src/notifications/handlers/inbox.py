"""Timeline and messaging events into the in-app inbox of every account they concern."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from konnect_contracts.events.messaging import MessageSent
from konnect_contracts.events.timeline import (
    DiaryEntryPosted,
    NewsletterPublished,
    NewsPublished,
    ObservationShared,
    PhotoPosted,
)
from konnect_kit.consumer import EventContext, Handlers
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.clock import Clock
from notifications.service_layer import inbox_delivery as use


def _handler(deliver: Callable[[AsyncSession, Any, datetime], Awaitable[Any]], clock: Clock
             ) -> Callable[[EventContext, Any], Awaitable[None]]:
    async def handle(ctx: EventContext, event: Any) -> None:
        await deliver(ctx.session, event, clock.now())
    return handle


def timeline_handlers(clock: Clock) -> Handlers:
    return {PhotoPosted: _handler(use.photo_posted, clock), DiaryEntryPosted: _handler(use.diary_entry_posted, clock)}


def content_handlers(clock: Clock) -> Handlers:
    return {NewsPublished: _handler(use.published, clock), NewsletterPublished: _handler(use.published, clock),
            ObservationShared: _handler(use.observation_shared, clock)}


def messaging_handlers(clock: Clock) -> Handlers:
    return {MessageSent: _handler(use.message_sent, clock)}
