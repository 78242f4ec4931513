"""Ended sessions from identity: a device registered by a session that ended gets no more push messages."""

import logging
from collections.abc import Callable

from konnect_contracts.events.access import SessionsEnded
from konnect_kit.consumer import EventConsumer, EventContext

from notifications.db.devices import forget_sessions
from notifications.settings import Settings

log = logging.getLogger(__name__)


async def sessions_ended(ctx: EventContext, event: SessionsEnded) -> None:
    removed = await forget_sessions(ctx.session, list(event.session_ids), event.ended_at)
    if removed:
        log.info("push devices of ended sessions removed", extra={"devices": removed, "reason": event.reason})


def register(settings: Settings) -> Callable[[EventConsumer], None]:
    def wire(consumer: EventConsumer) -> None:
        consumer.on(SessionsEnded, sessions_ended, topic=settings.access_topic)

    return wire
