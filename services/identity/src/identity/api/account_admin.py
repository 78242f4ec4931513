"""Account status for administrators and support: has this person activated their login yet?"""

from datetime import datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from konnect_kit.errors import ApiError
from konnect_kit.internal import CallerDep
from konnect_kit.service import SessionDep
from pydantic import BaseModel
from sqlalchemy import select

from identity.db.accounts import accounts

router = APIRouter(prefix="/accounts", tags=["admin: accounts"])


class AccountStatusOut(BaseModel):
    account_id: UUID
    organisation_id: UUID
    role: str
    email: str
    status: Literal["invited", "active", "disabled"]
    password_changed_at: datetime | None


@router.get("/{account_id}", response_model=AccountStatusOut)
async def account_status(account_id: UUID, who: CallerDep, session: SessionDep) -> AccountStatusOut:
    row = (await session.execute(select(accounts).where(accounts.c.account_id == account_id))).first()
    allowed = row is not None and (who.role == "platform_operator" or (
        who.role == "org_admin" and who.organisation_id == str(row.organisation_id)))
    if row is None or not allowed:
        raise ApiError(404, "not_found", "No such account.")
    return AccountStatusOut(account_id=row.account_id, organisation_id=row.organisation_id, role=row.role,
                            email=row.email, status=row.status, password_changed_at=row.password_changed_at)
