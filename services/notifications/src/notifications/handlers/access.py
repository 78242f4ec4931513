"""Ended sessions from identity: a device registered by a session that ended gets no more push messages."""

import logging

from konnect_contracts.events.access import SessionsEnded
from konnect_kit.consumer import EventContext, Handlers

from notifications.db.devices import forget_sessions

log = logging.getLogger(__name__)


async def sessions_ended(ctx: EventContext, event: SessionsEnded) -> None:
    removed = await forget_sessions(ctx.session, list(event.session_ids), event.ended_at)
    if removed:
        log.info("push devices of ended sessions removed", extra={"devices": removed, "reason": event.reason})


HANDLERS: Handlers = {SessionsEnded: sessions_ended}
