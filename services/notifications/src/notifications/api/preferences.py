"""A person's own notification settings: per item kind, e-mail on/off and push on/off."""

from uuid import UUID

from fastapi import APIRouter
from konnect_kit.db import Session
from konnect_kit.internal import CallerDep
from konnect_kit.service import SessionDep
from pydantic import BaseModel, Field

from notifications.domain.preferences import ITEM_KINDS, ItemKind
from notifications.service_layer import preferences as use

router = APIRouter(prefix="/notification-settings", tags=["notification settings"])


class KindSetting(BaseModel):
    kind: ItemKind
    email: bool = Field(description="Send an e-mail for this kind of news")
    push: bool = Field(description="Send a push message for this kind of news")


class SettingsOut(BaseModel):
    account_id: UUID
    items: list[KindSetting]


class SettingsIn(BaseModel):
    items: list[KindSetting] = Field(min_length=1, max_length=len(ITEM_KINDS))


async def _view(session: Session, account_id: UUID) -> SettingsOut:
    chosen = await use.settings(session, account_id)
    return SettingsOut(account_id=account_id,
                       items=[KindSetting(kind=kind, email=email, push=push) for kind, email, push in chosen])


@router.get("", response_model=SettingsOut)
async def get_settings(who: CallerDep, session: SessionDep) -> SettingsOut:
    return await _view(session, use.account_of(who))


@router.put("", response_model=SettingsOut, summary="Change some kinds; kinds not named keep their setting")
async def put_settings(body: SettingsIn, who: CallerDep, session: SessionDep) -> SettingsOut:
    account_id = use.account_of(who)
    await use.change(session, account_id, [(item.kind, item.email, item.push) for item in body.items])
    return await _view(session, account_id)
