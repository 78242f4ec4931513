"""The public one-click unsubscribe a mail's List-Unsubscribe header points at (no login: the token is the key)."""

from typing import Annotated

from fastapi import APIRouter, Path
from konnect_kit.service import KitDep, SessionDep
from pydantic import BaseModel, Field

from notifications.domain.preferences import ItemKind
from notifications.service_layer.unsubscribe import unsubscribe

router = APIRouter(tags=["notification settings"])


class Unsubscribed(BaseModel):
    email_off: list[ItemKind] = Field(description="The kinds of news that are no longer e-mailed")


# The body ("List-Unsubscribe=One-Click", RFC 8058) is not read: the POST itself is the one click, and a GET
# (a link scanner following the URL) has no route, so it can never unsubscribe anyone.
@router.post("/email-unsubscribe/{token}", response_model=Unsubscribed,
             summary="Turn off the e-mail a notification mail was about (one-click, RFC 8058)",
             responses={404: {"description": "Not a valid unsubscribe link"}})
async def one_click_unsubscribe(
    token: Annotated[str, Path(max_length=200, pattern=r"^[A-Za-z0-9_.\-]+$")], session: SessionDep, kit: KitDep,
) -> Unsubscribed:
    key = kit.settings.unsubscribe_signing_key.get_secret_value().encode()  # type: ignore[attr-defined]
    return Unsubscribed(email_off=await unsubscribe(session, token, key))  # type: ignore[arg-type]
