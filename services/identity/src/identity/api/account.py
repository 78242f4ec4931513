"""The logged-in person's own data: `/me` (account, family, children) and personal data edits."""

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Response
from konnect_kit.answers import json_answer
from konnect_kit.errors import ApiError
from konnect_kit.internal import CallerDep
from konnect_kit.service import ReaderDep, SessionDep
from konnect_kit.values import HumanName
from pydantic import BaseModel, Field

from identity.api.auth import LivePerson, person, session_ended
from identity.service_layer import profile

router = APIRouter(tags=["account"])


class AccountOut(BaseModel):
    account_id: UUID
    role: str
    email: str
    display_name: str
    language: Literal["nl", "en"]
    phone: str | None
    organisation: dict[str, Any]


class AccountPatch(BaseModel):
    # Omit a field to keep it; null is not a value for these two (the schema says so: no null allowed).
    display_name: HumanName = None  # type: ignore[assignment]
    language: Literal["nl", "en"] = None  # type: ignore[assignment]
    phone: Annotated[str | None, Field(default=None, max_length=40, pattern=r"^[0-9 +()-]*$",
                                       description="null or an empty string removes the number")]


class MeOut(BaseModel):
    account: AccountOut
    family: dict[str, Any] | None = None
    children: list[dict[str, Any]] = []


def _account_content(row: profile.AccountView) -> dict[str, Any]:
    """AccountOut's content in its field order: /me writes it as it is, /account validates it."""
    return {"account_id": row.account_id, "role": row.role, "email": row.email, "display_name": row.display_name,
            "language": row.language, "phone": row.phone,
            "organisation": {"organisation_id": str(row.organisation_id), "name": row.organisation_name}}


def _account_out(row: profile.AccountView) -> AccountOut:
    return AccountOut.model_validate(_account_content(row))


@router.get("/me", response_model=MeOut, summary="The account in use, its family and children")
async def me(who: CallerDep, reader: ReaderDep) -> Response:
    account_id = person(who)
    found = await profile.me(reader, UUID(who.session_id), account_id) if who.session_id else None
    if found is None:
        raise session_ended()
    # MeOut, written straight from its content (the app's most frequent call: no models built per call).
    return json_answer(me_content(found.account, found.children))


def me_content(row: profile.AccountView, children: list[dict[str, Any]]) -> dict[str, Any]:
    """What MeOut holds, in its fields' order: the family and its children for a parent only."""
    account = _account_content(row)
    if row.role != "parent" or row.family_id is None:
        return {"account": account, "family": None, "children": []}
    return {"account": account, "family": {"family_id": str(row.family_id), "name": row.family_name},
            "children": children}


@router.get("/account", response_model=AccountOut)
async def get_account(who: LivePerson, session: SessionDep) -> AccountOut:
    return _account_out(await profile.account_with_organisation(session, UUID(who.actor_id)))


@router.patch("/account", response_model=AccountOut, summary="Edit own personal data")
async def patch_account(body: AccountPatch, who: LivePerson, session: SessionDep) -> AccountOut:
    changes = body.model_dump(exclude_unset=True)
    for required in ("display_name", "language"):
        if required in changes and changes[required] is None:
            raise ApiError(422, "validation_failed", f"{required} cannot be empty.", {"field": required})
    if "phone" in changes:  # null or "" removes the number
        changes["phone"] = (changes["phone"] or "").strip() or None
    await profile.change_account(session, UUID(who.actor_id), changes)
    return _account_out(await profile.account_with_organisation(session, UUID(who.actor_id)))
