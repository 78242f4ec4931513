"""Evaluations from both sources through one function: staff in the API and ERP `ChildEvaluated` events.

Staff evaluations are applied in the API transaction, which also publishes their `ChildEvaluated` (so an ERP
hears about them) with the event id stored on the line. The same event comes back through our consumer and is
recognised by that id and skipped. Why not apply everything in the handler: the staff route can then answer
with the line's real new state and a reliable 409 (the request row is locked while checking), instead of
"accepted for processing" and a race between two clicks that only the consumer would notice.
"""

import logging
from datetime import datetime
from uuid import UUID

from konnect_contracts.events.requests import ChildEvaluated
from konnect_kit.db import Session
from konnect_kit.outbox import Outbox

from planning.db.request_store import StoredLine, StoredRequest
from planning.domain.refusals import Refusal
from planning.service_layer import integrator_events
from planning.service_layer.calendar import has_room
from planning.service_layer.decisions import Evaluation, lines_of, lock_request, record_evaluation, settle

log = logging.getLogger(__name__)


async def evaluate_child(session: Session, outbox: Outbox, request: StoredRequest, child_id: UUID, *,
                         line_id: UUID | None, outcome: str, reason: str | None, evaluator_id: str,
                         evaluated_by: str = "staff", now: datetime, check_capacity: bool = True) -> list[UUID]:
    """Staff evaluate one child's open lines (or the one named) of a locked request; 409 when nothing is open.

    Accepting through the API refuses (409) a line whose group is full on one of its dates unless the
    evaluator overrides; an ERP's `ChildEvaluated` event is the ERP's decision and is applied as it is.
    """
    lines = [line for line in await lines_of(session, request.request_id) if line.child_id == child_id
             and (line_id is None or line.line_id == line_id)]
    if not lines:
        raise Refusal("not_found", "This child has no such line in the request.", kind="not_found")
    open_lines = [line for line in lines if line.status == "pending" and line.evaluation_outcome is None]
    if not open_lines:
        states = sorted({line.status if line.evaluation_outcome is None else f"evaluated ({line.evaluation_outcome})"
                         for line in lines})
        raise Refusal("not_pending", f"This child's line can no longer be evaluated: it is {', '.join(states)}.",
                      {"statuses": states}, kind="conflict")
    if outcome == "accepted" and check_capacity:
        await _refuse_when_full(session, open_lines)
    for line in open_lines:
        envelope = await integrator_events.publish(session, outbox, ChildEvaluated(
            request_id=request.request_id, organisation_id=request.organisation_id, family_id=request.family_id,
            line_id=line.line_id, child_id=child_id, outcome=outcome, reason=reason,  # type: ignore[arg-type]
            evaluated_by=evaluated_by, evaluator_id=evaluator_id))  # type: ignore[arg-type]
        await record_evaluation(session, line, Evaluation(line.line_id, outcome, reason,  # type: ignore[arg-type]
                                                          evaluated_by, evaluator_id, envelope.event_id), now)
    await settle(session, outbox, request, now)
    return [line.line_id for line in open_lines]


async def _refuse_when_full(session: Session, lines: list[StoredLine]) -> None:
    for line in lines:
        for day in line.dates:
            for part in line.day_part_ids:
                if not await has_room(session, line.group_id, day, part):
                    raise Refusal("group_full", f"The group is full on {day.isoformat()} for this day part; "
                                  "accept with override_capacity to exceed the capacity on purpose.",
                                  {"date": day.isoformat(), "day_part_id": str(part)}, kind="conflict")


async def apply_child_evaluated(session: Session, outbox: Outbox, event: ChildEvaluated, event_id: UUID,
                                now: datetime) -> str:
    """An evaluation event (ours or an ERP's): applied once, anything else ignored with a log line."""
    request = await lock_request(session, event.request_id)
    extra = {"request_id": str(event.request_id), "line_id": str(event.line_id), "event_id": str(event_id)}
    if request is None or request.organisation_id != event.organisation_id:
        log.warning("evaluation for an unknown request ignored", extra=extra)
        return "unknown"
    lines = await lines_of(session, event.request_id)
    line = next((x for x in lines if x.line_id == event.line_id), None)
    if line is None or line.child_id != event.child_id:
        log.warning("evaluation for an unknown line ignored", extra=extra)
        return "unknown"
    if line.evaluation_event_id == event_id:
        log.debug("own evaluation event seen again", extra=extra)
        return "own"
    result, evaluated = await record_evaluation(session, line, Evaluation(
        line.line_id, event.outcome, event.reason, event.evaluated_by, event.evaluator_id, event_id), now)
    if result != "applied":
        log.warning("evaluation ignored", extra={**extra, "why": result, "status": line.status})
        return result
    # The request is locked: its lines are the ones read above, with this one as the update left it.
    await settle(session, outbox, request, now, [evaluated if x.line_id == line.line_id else x for x in lines])
    return result
