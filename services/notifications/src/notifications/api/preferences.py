"""A person's own notification settings: per item kind, e-mail on/off and push on/off."""

from uuid import UUID

from fastapi import APIRouter
from konnect_kit.errors import ApiError
from konnect_kit.internal import Caller, CallerDep
from konnect_kit.service import SessionDep
from pydantic import BaseModel, Field

from notifications.db.preferences import preferences_of, save_preference
from notifications.domain.preferences import ITEM_KINDS, ItemKind

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


def _account(who: Caller) -> UUID:
    if who.role not in ("parent", "staff", "org_admin"):
        raise ApiError(403, "forbidden", "Notification settings belong to a person's login.")
    return UUID(who.actor_id)


async def _view(session, account_id: UUID) -> SettingsOut:  # type: ignore[no-untyped-def]
    chosen = await preferences_of(session, account_id)
    return SettingsOut(account_id=account_id, items=[
        KindSetting(kind=kind, email=chosen.get(kind, (True, True))[0], push=chosen.get(kind, (True, True))[1])
        for kind in ITEM_KINDS])


@router.get("", response_model=SettingsOut)
async def get_settings(who: CallerDep, session: SessionDep) -> SettingsOut:
    return await _view(session, _account(who))


@router.put("", response_model=SettingsOut, summary="Change some kinds; kinds not named keep their setting")
async def put_settings(body: SettingsIn, who: CallerDep, session: SessionDep) -> SettingsOut:
    account_id = _account(who)
    if len({item.kind for item in body.items}) != len(body.items):
        raise ApiError(422, "duplicate_kind", "Each kind may appear once.")
    for item in body.items:
        await save_preference(session, account_id, item.kind, email=item.email, push=item.push)
    return await _view(session, account_id)
