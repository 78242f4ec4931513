"""Timeline and messaging events into the in-app inbox of every account they concern."""

from collections.abc import Awaitable, Callable
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
from notifications.service_layer.fanout import Fanout
from notifications.settings import Settings

Deliver = Callable[[AsyncSession, Any, Fanout], Awaitable[Any]]


def _handlers(routes: dict[type, Deliver], settings: Settings, clock: Clock) -> Handlers:
    def handler(deliver: Deliver) -> Callable[[EventContext, Any], Awaitable[None]]:
        async def handle(ctx: EventContext, event: Any) -> None:
            how = Fanout(event_id=ctx.envelope.event_id, now=clock.now(), push_enabled=settings.push_enabled,
                         burst_seconds=settings.push_burst_seconds, links=settings.mail_links())
            await deliver(ctx.session, event, how)
        return handle
    return {event_type: handler(deliver) for event_type, deliver in routes.items()}


def timeline_handlers(settings: Settings, clock: Clock) -> Handlers:
    return _handlers({PhotoPosted: use.photo_posted, DiaryEntryPosted: use.diary_entry_posted}, settings, clock)


def content_handlers(settings: Settings, clock: Clock) -> Handlers:
    return _handlers({NewsPublished: use.published, NewsletterPublished: use.published,
                      ObservationShared: use.observation_shared}, settings, clock)


def messaging_handlers(settings: Settings, clock: Clock) -> Handlers:
    return _handlers({MessageSent: use.message_sent}, settings, clock)
