"""Which request a caller may see or act on: the tenant bound, the family check, hidden when not theirs."""

from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.domain_errors import NotFound
from konnect_kit.internal import Caller
from konnect_kit.tenancy import bound_organisation

from planning.db.overview import request_by_id
from planning.service_layer.calendar import family_of_account
from planning.service_layer.callers import may_act_for
from planning.service_layer.decisions import lock_request


async def request_for(session: Session, who: Caller, request_id: UUID, *, lock: bool = False) -> Any:
    """The request if the caller may see it; NotFound otherwise (another family's request stays hidden)."""
    # Every caller but the platform operator is bound to one organisation: the query never reaches past it.
    tenant = bound_organisation(who)
    if lock:
        request = await lock_request(session, request_id, tenant)
    else:
        request = await request_by_id(session, request_id, tenant)
    caller_family = await family_of_account(session, who.actor_id) if who.role == "parent" else None
    if request is None or not may_act_for(who, organisation_id=request.organisation_id,
                                          family_id=request.family_id, caller_family=caller_family):
        raise NotFound("not_found", "No such request.")
    return request
