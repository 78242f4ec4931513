"""A person's push devices: registering (only from a live session), listing and removing."""

import logging
from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden, NotFound, Unauthenticated
from konnect_kit.internal import Caller

from notifications.db import devices as db

log = logging.getLogger(__name__)


def person(who: Caller) -> tuple[UUID, UUID | None]:
    """The account and session of a person's login; machine callers and operators have no devices."""
    if who.role not in ("parent", "staff", "org_admin"):
        raise Forbidden("forbidden", "Push devices belong to a person's login.")
    return UUID(who.actor_id), UUID(who.session_id) if who.session_id else None


async def register(session: Session, who: Caller, *, token: str, platform: str,
                   keep_at_most: int) -> dict[str, Any]:
    account_id, session_id = person(who)
    if session_id is not None and await db.session_has_ended(session, session_id):
        raise Unauthenticated("session_ended", "The session has ended. Log in again.")
    device_id, evicted = await db.register_device(session, token=token, account_id=account_id,
                                                  session_id=session_id, platform=platform,
                                                  keep_at_most=keep_at_most)
    if evicted:
        log.info("push devices replaced by a newer one", extra={
            "account_id": str(account_id), "device_id": str(device_id), "evicted": [str(e) for e in evicted]})
    [device] = [d for d in await db.devices_of(session, account_id) if d["device_id"] == device_id]
    return device


async def devices(session: Session, who: Caller) -> list[dict[str, Any]]:
    account_id, _ = person(who)
    return list(await db.devices_of(session, account_id))


async def unregister(session: Session, who: Caller, device_id: UUID) -> None:
    account_id, _ = person(who)
    if not await db.remove_device(session, device_id=device_id, account_id=account_id):
        raise NotFound("not_found", "No such device of yours.")
