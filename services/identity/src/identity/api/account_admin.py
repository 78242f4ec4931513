"""Account status for administrators and support: has this person activated their login yet?"""

from datetime import datetime
from typing import Literal
from uuid import UUID

from fastapi import APIRouter
from konnect_kit.errors import ApiError
from konnect_kit.internal import CallerDep
from konnect_kit.service import SessionDep
from konnect_kit.tenancy import not_found
from pydantic import BaseModel

from identity.service_layer.organisations import account_status as account_status_of

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
    if who.role not in ("platform_operator", "org_admin"):
        raise ApiError(403, "forbidden", "Account status is for organisation admins.")
    row = await account_status_of(session, who, account_id)
    if row is None:  # or another organisation's: the same answer
        raise not_found("account")
    return AccountStatusOut(account_id=row.account_id, organisation_id=row.organisation_id, role=row.role,
                            email=row.email, status=row.status, password_changed_at=row.password_changed_at)
