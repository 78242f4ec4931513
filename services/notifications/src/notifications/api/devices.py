"""A person's push devices: the app registers its FCM token after login; logout of that session removes it."""

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Path, Response
from konnect_kit.internal import CallerDep
from konnect_kit.service import KitDep, SessionDep
from pydantic import BaseModel, Field

from notifications.service_layer import devices as use
from notifications.settings import Settings

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


@router.post("", response_model=DeviceOut, status_code=201,
             summary="Register this device for push messages (again after each login; the same token is one device)",
             description="An account keeps at most NOTIFICATIONS_PUSH_DEVICES_PER_ACCOUNT devices (10): registering "
                         "one more removes the device registered longest ago.")
async def register(body: DeviceIn, who: CallerDep, session: SessionDep, kit: KitDep) -> DeviceOut:
    settings: Settings = kit.settings  # type: ignore[assignment]
    device = await use.register(session, who, token=body.token, platform=body.platform,
                                keep_at_most=settings.push_devices_per_account)
    return DeviceOut(**device)


@router.get("", response_model=list[DeviceOut], summary="The devices that receive this person's push messages")
async def list_devices(who: CallerDep, session: SessionDep) -> list[DeviceOut]:
    return [DeviceOut(**device) for device in await use.devices(session, who)]


@router.delete("/{device_id}", status_code=204, response_class=Response, summary="Stop push messages to a device")
async def unregister(device_id: Annotated[UUID, Path()], who: CallerDep, session: SessionDep) -> Response:
    await use.unregister(session, who, device_id)
    return Response(status_code=204)
