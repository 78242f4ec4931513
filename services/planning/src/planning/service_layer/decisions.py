"""Applying what happens to pending lines: evaluations, credit reservations, cancels and expiry; then settling.

Every path locks the request row first (`FOR UPDATE`), so concurrent evaluations, reservation results, a
cancel and the expiry worker on one request run one after another: all-or-nothing and the single
`RequestDecided` depend on seeing every line's latest state.
"""

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from uuid import UUID

from konnect_contracts.events.requests import LineOutcome, RequestCancelled, RequestDecided, RequestExpired
from konnect_kit.db import Session
from konnect_kit.outbox import Outbox

from planning.db import request_store as db
from planning.db.care_changes import add_care_changes
from planning.db.request_store import StoredLine, StoredRequest
from planning.domain.requests import LineState, is_decided, newly_final, resolve
from planning.service_layer import integrator_events

log = logging.getLogger(__name__)

Applied = Literal["applied", "unknown", "already_evaluated", "not_pending"]


async def lock_request(session: Session, request_id: UUID,
                       organisation_id: UUID | None = None) -> StoredRequest | None:
    """The request, locked; with `organisation_id` only that organisation's (another tenant's is not found)."""
    return await db.lock_request(session, request_id, organisation_id)


async def lines_of(session: Session, request_id: UUID) -> list[StoredLine]:
    return await db.lines_of(session, request_id)


def _state(row: StoredLine) -> LineState:
    return LineState(line_id=str(row.line_id), child_id=str(row.child_id), payment=row.payment, status=row.status,
                     evaluation=row.evaluation_outcome, evaluation_reason=row.evaluation_reason,
                     reservation=row.reservation_status, reservation_reason=row.reservation_reason,
                     reason=row.reason)


async def settle(session: Session, outbox: Outbox, request: StoredRequest, now: datetime,
                 rows: Sequence[StoredLine] | None = None) -> None:
    """Bring every line to the status its inputs imply; plan accepted care; publish `RequestDecided` once.

    `rows`: the locked request's lines as they are now, when the caller has them (else they are read)."""
    if rows is None:
        rows = await lines_of(session, request.request_id)
    before = [_state(r) for r in rows]
    after = resolve(before, all_or_nothing=request.all_or_nothing)
    by_id = {str(r.line_id): r for r in rows}
    for line in newly_final(before, after):
        await db.update_line(session, UUID(line.line_id), status=line.status, reason=line.reason, decided_at=now)
        if line.status == "accepted":
            await _plan(session, request, by_id[line.line_id])
    if is_decided(after) and request.decided_at is None:
        outcomes = tuple(LineOutcome(line_id=UUID(x.line_id), child_id=UUID(x.child_id), outcome=x.status,
                                     reason=x.reason) for x in after if x.status in ("accepted", "rejected"))
        await integrator_events.publish(session, outbox, RequestDecided(
            request_id=request.request_id, organisation_id=request.organisation_id, family_id=request.family_id,
            outcomes=outcomes))
        await db.mark_decided(session, request.request_id, now)


async def _plan(session: Session, request: StoredRequest, line: StoredLine) -> None:
    """Accepted care enters the schedule: +1 per booked date and part; a swap also takes the given-up parts."""
    def change(day: date, part: UUID, delta: int, kind: str, group_id: UUID) -> dict:
        return {"change_id": uuid.uuid4(), "organisation_id": request.organisation_id, "child_id": line.child_id,
                "group_id": group_id, "date": day, "day_part_id": part, "delta": delta, "source_kind": kind,
                "source_id": line.line_id}

    if request.kind == "swap":
        rows = [change(line.give_up_date, p, -1, "swap_give_up", line.give_up_group_id or line.group_id)
                for p in line.give_up_day_part_ids]
        rows += [change(d, p, 1, "swap_target", line.group_id) for d in line.dates for p in line.day_part_ids]
    else:
        rows = [change(d, p, 1, "extra_day", line.group_id) for d in line.dates for p in line.day_part_ids]
    await add_care_changes(session, rows)


@dataclass(frozen=True)
class Evaluation:
    line_id: UUID
    outcome: Literal["accepted", "rejected"]
    reason: str | None
    evaluated_by: Literal["staff", "erp"]
    evaluator_id: str
    event_id: UUID


async def record_evaluation(session: Session, line: StoredLine, evaluation: Evaluation,
                            now: datetime) -> tuple[Applied, StoredLine]:
    """Store one evaluation on a locked request's line; the caller settles afterwards. Returns whether it was
    applied and the line as it is now.

    A line is evaluated once: a second evaluation (or one after cancel/expiry/rejection) is not applied.
    """
    if line.evaluation_outcome is not None:
        return "already_evaluated", line
    if line.status != "pending":
        return "not_pending", line
    return "applied", await db.update_line(
        session, line.line_id, evaluation_outcome=evaluation.outcome, evaluation_reason=evaluation.reason,
        evaluated_by=evaluation.evaluated_by, evaluator_id=evaluation.evaluator_id, evaluated_at=now,
        evaluation_event_id=evaluation.event_id)


async def record_reservation(session: Session, outbox: Outbox, *, request_id: UUID, line_id: UUID,
                             reserved: bool, reason: str | None, now: datetime) -> bool:
    """Credits answered for one line; False when the line is unknown or already had its answer."""
    request = await lock_request(session, request_id)
    if request is None:
        return False
    line = await db.line_of(session, request_id, line_id)
    if line is None or line.payment != "credit" or line.reservation_status != "pending":
        return False
    await db.update_line(session, line_id, reservation_status="reserved" if reserved else "failed",
                         reservation_reason=reason)
    await settle(session, outbox, request, now)
    return True


async def withdraw(session: Session, request: StoredRequest, lines: Sequence[StoredLine], status: str, reason: str,
                   now: datetime) -> list[StoredLine]:
    """Mark pending lines cancelled or expired; returns those it changed."""
    pending = [line for line in lines if line.status == "pending"]
    if pending:
        await db.close_lines(session, [line.line_id for line in pending], status=status, reason=reason, now=now)
    return pending


async def cancel_child(session: Session, outbox: Outbox, request: StoredRequest, child_id: UUID, *,
                       by_account: UUID | None, now: datetime) -> list[StoredLine]:
    """Cancel every pending line of one child (a period is one line; several bookings go together)."""
    lines = [line for line in await lines_of(session, request.request_id) if line.child_id == child_id]
    cancelled = await withdraw(session, request, lines, "cancelled", "Cancelled by the parent.", now)
    if cancelled:
        await integrator_events.publish(session, outbox, RequestCancelled(
            request_id=request.request_id, organisation_id=request.organisation_id, family_id=request.family_id,
            child_id=child_id, line_ids=tuple(line.line_id for line in cancelled),
            cancelled_by_account_id=by_account))
        await settle(session, outbox, request, now)
    return cancelled


async def expire(session: Session, outbox: Outbox, request_id: UUID, now: datetime) -> int:
    """The timer fired: withdraw the lines still pending, tell everyone once; returns how many expired."""
    request = await lock_request(session, request_id)
    if request is None:
        return 0
    lines = await lines_of(session, request_id)
    reason = f"No evaluation before the end of {request.expires_on.isoformat()}; the request was withdrawn."
    expired = await withdraw(session, request, lines, "expired", reason, now)
    if expired:
        await integrator_events.publish(session, outbox, RequestExpired(
            request_id=request_id, organisation_id=request.organisation_id, family_id=request.family_id,
            expired_line_ids=tuple(line.line_id for line in expired),
            child_ids=tuple(dict.fromkeys(line.child_id for line in expired))))
        await settle(session, outbox, request, now)
    log.info("request expired", extra={"request_id": str(request_id), "expired_lines": len(expired)})
    return len(expired)

