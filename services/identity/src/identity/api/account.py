"""The logged-in person's own data: `/me` (account, family, children) and personal data edits."""

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter
from konnect_contracts.events.access import AccountChanged
from konnect_kit.errors import ApiError
from konnect_kit.internal import CallerDep
from konnect_kit.service import SessionDep
from konnect_kit.values import HumanName
from pydantic import BaseModel, Field
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from identity.api.auth import LivePerson, person, session_ended
from identity.db.accounts import accounts
from identity.db.models import organisations
from identity.queries import family_children, live_account, today_in
from identity.service_layer.accounts import ACCESS_EVENTS, now

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


async def _account(session: AsyncSession, account_id: UUID) -> AccountOut:
    row = (await session.execute(
        select(accounts, organisations.c.name.label("organisation_name"))
        .join(organisations, organisations.c.organisation_id == accounts.c.organisation_id, isouter=True)
        .where(accounts.c.account_id == account_id))).one()
    return AccountOut(account_id=row.account_id, role=row.role, email=row.email, display_name=row.display_name,
                      language=row.language, phone=row.phone,
                      organisation={"organisation_id": str(row.organisation_id), "name": row.organisation_name})


@router.get("/me", response_model=MeOut, summary="The account in use, its family and children")
async def me(who: CallerDep, session: SessionDep) -> MeOut:
    # Two round trips in all (the app's most frequent call): the live session with account, organisation
    # and family, then the children with mentors and placements.
    account_id = person(who)
    row = await live_account(session, UUID(who.session_id), account_id) if who.session_id else None
    if row is None:
        raise session_ended()
    account = AccountOut(account_id=row.account_id, role=row.role, email=row.email, display_name=row.display_name,
                         language=row.language, phone=row.phone,
                         organisation={"organisation_id": str(row.organisation_id), "name": row.organisation_name})
    if row.role != "parent" or row.family_id is None:
        return MeOut(account=account)
    return MeOut(account=account, family={"family_id": str(row.family_id), "name": row.family_name},
                 children=await family_children(session, row.family_id, today_in(row.time_zone)))


@router.get("/account", response_model=AccountOut)
async def get_account(who: LivePerson, session: SessionDep) -> AccountOut:
    return await _account(session, UUID(who.actor_id))


@router.patch("/account", response_model=AccountOut, summary="Edit own personal data")
async def patch_account(body: AccountPatch, who: LivePerson, session: SessionDep) -> AccountOut:
    changes = body.model_dump(exclude_unset=True)
    for required in ("display_name", "language"):
        if required in changes and changes[required] is None:
            raise ApiError(422, "validation_failed", f"{required} cannot be empty.", {"field": required})
    if "phone" in changes:  # null or "" removes the number
        changes["phone"] = (changes["phone"] or "").strip() or None
    if changes:
        moment = now()
        row = (await session.execute(update(accounts).where(accounts.c.account_id == UUID(who.actor_id))
                                     .values(**changes, updated_at=moment).returning(accounts))).one()
        # Edges that keep this account's answers in memory (the gateway's /me) drop them on this event.
        await ACCESS_EVENTS.publish(session, AccountChanged(
            account_id=row.account_id, organisation_id=row.organisation_id, role=row.role,
            display_name=row.display_name, language=row.language, status=row.status, changed_at=moment),
            organisation_id=row.organisation_id)
    return await _account(session, UUID(who.actor_id))
