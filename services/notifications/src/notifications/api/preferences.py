"""A person's own notification settings: per item kind e-mail (off / immediately / daily digest), push and
in-app; the time zone, digest time and quiet hours for push; whether a message's start shows in its push and
e-mail."""

from datetime import datetime, time
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter
from konnect_kit.db import Session
from konnect_kit.internal import CallerDep
from konnect_kit.service import SessionDep
from pydantic import BaseModel, Field

from notifications.domain.preferences import ITEM_KINDS, ItemKind
from notifications.service_layer import bounces
from notifications.service_layer import preferences as use
from notifications.service_layer.preferences import KindChoice

router = APIRouter(prefix="/notification-settings", tags=["notification settings"])

HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", examples=["18:00"])]


class KindSetting(BaseModel):
    kind: ItemKind
    email: bool = Field(description="Send e-mail for this kind of news (at once or in the digest)")
    push: bool = Field(description="Send a push message for this kind of news")
    email_delivery: Literal["immediate", "digest"] | None = Field(
        default=None, description="E-mail at once or in the daily digest; omitted: the kind's default")
    in_app: bool | None = Field(default=None, description="Show it in the in-app inbox; omitted: the default (on)")


class QuietHours(BaseModel):
    start: HHMM
    end: HHMM


class EmailProblem(BaseModel):
    """Mail to this address stopped: the portal shows it so the parent can fix their mailbox or address."""

    email: str
    reason: Literal["bounced", "complained", "refused"] = Field(
        description="bounced / refused: the mailbox does not take mail; complained: marked as spam")
    detail: str | None
    since: datetime


class SettingsOut(BaseModel):
    account_id: UUID
    items: list[KindSetting]
    time_zone: str
    digest_at: str = Field(description="Local time of the daily digest mail (HH:MM)")
    quiet_hours: QuietHours | None = Field(description="Pushes in this window wait and come as one summary")
    email_problem: EmailProblem | None = Field(default=None, description="Set when no mail reaches the address")
    message_preview: bool = Field(description="A new message's push and e-mail show the start of its text "
                                  "(off by default: a lock screen or a shared mailbox shows only who wrote)")


class SettingsIn(BaseModel):
    items: list[KindSetting] = Field(default=[], max_length=len(ITEM_KINDS))
    time_zone: str | None = Field(default=None, max_length=64, examples=["Europe/Amsterdam"])
    digest_at: HHMM | None = None
    quiet_hours: QuietHours | None = None
    clear_quiet_hours: bool = Field(default=False, description="Turn quiet hours off")
    mail_me_again: bool = Field(default=False, description="My mailbox works again: lift the e-mail problem")
    message_preview: bool | None = Field(default=None, description="Show the start of a message in its push and "
                                         "e-mail; omitted: unchanged")


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _time(value: str) -> time:
    return time.fromisoformat(value)


async def _view(session: Session, account_id: UUID) -> SettingsOut:
    chosen = await use.settings(session, account_id)
    account = await use.account_settings(session, account_id)
    quiet = (QuietHours(start=_hhmm(account.quiet_start), end=_hhmm(account.quiet_end))
             if account.quiet_start is not None and account.quiet_end is not None else None)
    problem = await bounces.email_problem(session, account_id)
    email_problem = (EmailProblem(email=problem[0], reason=problem[1].reason,  # type: ignore[arg-type]
                                  detail=problem[1].detail, since=problem[1].since) if problem else None)
    return SettingsOut(
        account_id=account_id, time_zone=account.time_zone, digest_at=_hhmm(account.digest_at), quiet_hours=quiet,
        email_problem=email_problem, message_preview=account.message_preview,
        items=[KindSetting(kind=kind, email=c.email != "off", push=c.push, in_app=c.in_app,  # type: ignore[arg-type]
                           email_delivery=None if c.email == "off" else c.email)  # type: ignore[arg-type]
               for kind, c in chosen])


@router.get("", response_model=SettingsOut)
async def get_settings(who: CallerDep, session: SessionDep) -> SettingsOut:
    return await _view(session, use.account_of(who))


@router.put("", response_model=SettingsOut, summary="Change some settings; whatever is not named keeps its value")
async def put_settings(body: SettingsIn, who: CallerDep, session: SessionDep) -> SettingsOut:
    account_id = use.account_of(who)
    await use.change(session, account_id, [KindChoice(item.kind, item.email, item.push, item.email_delivery,
                                                      item.in_app) for item in body.items])
    quiet = (_time(body.quiet_hours.start), _time(body.quiet_hours.end)) if body.quiet_hours else None
    await use.change_account(session, account_id, time_zone=body.time_zone,
                             digest_at=_time(body.digest_at) if body.digest_at else None, quiet=quiet,
                             clear_quiet=body.clear_quiet_hours, message_preview=body.message_preview)
    if body.mail_me_again:
        await bounces.mail_me_again(session, account_id)
    return await _view(session, account_id)
