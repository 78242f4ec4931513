"""Staff, admins and the ERP evaluate one child's line of a request (publishes `ChildEvaluated`)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from konnect_kit.clock import ClockDep
from konnect_kit.errors import ApiError
from konnect_kit.internal import CallerDep
from konnect_kit.service import KitDep, SessionDep
from pydantic import BaseModel

from planning.api.request_models import EvaluatedOut, EvaluationIn, RequestOut
from planning.service_layer.calendar import organisation_calendar
from planning.service_layer.decisions import lines_of
from planning.service_layer.evaluations import evaluate_child
from planning.service_layer.overview import evaluation_queue, request_view
from planning.service_layer.visibility import request_for

router = APIRouter(tags=["evaluation"])

EVALUATORS = frozenset({"staff", "org_admin", "erp"})


@router.post("/requests/{request_id}/children/{child_id}/evaluate", response_model=EvaluatedOut)
async def evaluate(request_id: UUID, child_id: UUID, body: EvaluationIn, who: CallerDep, session: SessionDep,
                   kit: KitDep, clock: ClockDep) -> EvaluatedOut:
    """Accept or reject one child's open line(s). Staff only where the organisation lets staff evaluate."""
    if who.role not in EVALUATORS:
        raise ApiError(403, "forbidden", "Only the organisation evaluates requests.")
    request = await request_for(session, who, request_id, lock=True)
    calendar = await organisation_calendar(session, request.organisation_id)
    if who.role == "staff" and not calendar.staff_may_evaluate:
        raise ApiError(403, "forbidden", "In this organisation the planning office evaluates requests.")
    now = clock.now()
    evaluated = await evaluate_child(
        session, kit.outbox, request, child_id, line_id=body.line_id, outcome=body.outcome, reason=body.reason,
        evaluator_id=who.actor_id, evaluated_by="erp" if who.role == "erp" else "staff", now=now,
        check_capacity=not body.override_capacity)
    fresh = await request_for(session, who, request_id)
    view = request_view(fresh, await lines_of(session, request_id), calendar, now)
    return EvaluatedOut(evaluated_line_ids=evaluated, request=RequestOut.model_validate(view))


class EvaluationQueueOut(BaseModel):
    organisation_id: UUID
    items: list[RequestOut]


@router.get("/evaluation-queue", response_model=EvaluationQueueOut,
            summary="Requests with a child still waiting for an evaluation, oldest first (staff, admins, ERP)")
async def evaluation_queue_of(who: CallerDep, session: SessionDep, clock: ClockDep,
                              organisation_id: UUID | None = None,
                              limit: Annotated[int, Query(ge=1, le=200)] = 50) -> EvaluationQueueOut:
    if who.role not in EVALUATORS | {"platform_operator"}:
        raise ApiError(403, "forbidden", "Only the organisation evaluates requests.")
    if who.role != "platform_operator":
        own = UUID(who.organisation_id) if who.organisation_id else None
        if organisation_id is not None and organisation_id != own:
            raise ApiError(404, "not_found", "No such organisation.")  # another tenant's: as if it did not exist
        organisation_id = own
    if organisation_id is None:
        raise ApiError(422, "organisation_required", "Name the organisation (organisation_id).")
    calendar = await organisation_calendar(session, organisation_id)
    if who.role == "staff" and not calendar.staff_may_evaluate:
        raise ApiError(403, "forbidden", "In this organisation the planning office evaluates requests.")
    items = await evaluation_queue(session, organisation_id, calendar, clock.now(), limit)
    return EvaluationQueueOut(organisation_id=organisation_id,
                              items=[RequestOut.model_validate(item) for item in items])
