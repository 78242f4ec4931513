"""A person's push devices: the app registers its FCM token after login; logout of that session removes it."""

import logging
from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Response
from konnect_kit.errors import ApiError
from konnect_kit.internal import Caller, CallerDep
from konnect_kit.service import KitDep, SessionDep
from pydantic import BaseModel, Field

from notifications.db.devices import devices_of, register_device, remove_device, session_has_ended
from notifications.settings import Settings

log = logging.getLogger(__name__)

router = APIRouter(prefix="/push-devices", tags=["notification settings"])


class DeviceIn(BaseModel):
    token: Annotated[str, Field(min_length=1, max_length=4096, pattern=r"^[A-Za-z0-9_:\-\.]+$",
                                description="The FCM registration token of this app install",
                                examples=["fGx3Q9vHRsm4:APA91bHk2"])]
    platform: Literal["android", "ios", "web"]


class DeviceOut(BaseModel):
    device_id: UUID
    platform: str
    registered_at: datetime


def _person(who: Caller) -> tuple[UUID, UUID | None]:
    if who.role not in ("parent", "staff", "org_admin"):
        raise ApiError(403, "forbidden", "Push devices belong to a person's login.")
    return UUID(who.actor_id), UUID(who.session_id) if who.session_id else None


@router.post("", response_model=DeviceOut, status_code=201,
             summary="Register this device for push messages (again after each login; the same token is one device)",
             description="An account keeps at most NOTIFICATIONS_PUSH_DEVICES_PER_ACCOUNT devices (10): registering "
                         "one more removes the device registered longest ago.")
async def register(body: DeviceIn, who: CallerDep, session: SessionDep, kit: KitDep) -> DeviceOut:
    account_id, session_id = _person(who)
    if session_id is not None and await session_has_ended(session, session_id):
        raise ApiError(401, "session_ended", "The session has ended. Log in again.")
    settings: Settings = kit.settings  # type: ignore[assignment]
    device_id, evicted = await register_device(session, token=body.token, account_id=account_id,
                                               session_id=session_id, platform=body.platform,
                                               keep_at_most=settings.push_devices_per_account)
    if evicted:
        log.info("push devices replaced by a newer one", extra={
            "account_id": str(account_id), "device_id": str(device_id), "evicted": [str(e) for e in evicted]})
    [device] = [d for d in await devices_of(session, account_id) if d["device_id"] == device_id]
    return DeviceOut(**device)


@router.get("", response_model=list[DeviceOut], summary="The devices that receive this person's push messages")
async def list_devices(who: CallerDep, session: SessionDep) -> list[DeviceOut]:
    account_id, _ = _person(who)
    return [DeviceOut(**device) for device in await devices_of(session, account_id)]


@router.delete("/{device_id}", status_code=204, response_class=Response, summary="Stop push messages to a device")
async def unregister(device_id: Annotated[UUID, Path()], who: CallerDep, session: SessionDep) -> Response:
    account_id, _ = _person(who)
    if not await remove_device(session, device_id=device_id, account_id=account_id):
        raise ApiError(404, "not_found", "No such device of yours.")
    return Response(status_code=204)
