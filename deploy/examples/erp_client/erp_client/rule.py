"""The decision rule (pure, no Kafka): which request lines to accept, and the evaluations that say so.

This is the part an integrator replaces with their ERP's own planning check (capacity, contracts, ...).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID, uuid5

from konnect_contracts.events.requests import ChildEvaluated, Outcome, RequestLine, RequestSubmitted

DEFAULT_REASON = "Groep vol"

# Fixed namespace for this client's evaluation event ids (any constant UUID of your own will do).
_EVALUATION_NAMESPACE = UUID("3b8f4c1e-9d2a-4f6b-8e7c-5a1d0c9b2e47")


@dataclass(frozen=True)
class Rule:
    """Accept everything, except lines of the listed children or lines touching one of the listed weekdays."""

    reject_children: frozenset[UUID] = frozenset()
    # 0 = Monday … 6 = Sunday: the numbering of the contracts' weekly patterns (`date.weekday()`).
    reject_weekdays: frozenset[int] = frozenset()
    reason: str = DEFAULT_REASON


def _days(line: RequestLine) -> Iterator[date]:
    day = line.starts_on
    while day <= line.ends_on:  # ends_on is inclusive
        yield day
        day += timedelta(days=1)


def decide(line: RequestLine, rule: Rule) -> tuple[Outcome, str | None]:
    """(outcome, reason) for one line. A period line is rejected when any of its days hits a rejected weekday."""
    if line.child_id in rule.reject_children:
        return "rejected", rule.reason
    if rule.reject_weekdays and any(day.weekday() in rule.reject_weekdays for day in _days(line)):
        return "rejected", rule.reason
    return "accepted", None


def evaluations(request: RequestSubmitted, rule: Rule, *, evaluator_id: str) -> list[ChildEvaluated]:
    """One ChildEvaluated per line. `all_or_nothing` is not applied here: Konnect's planning applies it."""
    evaluated = []
    for line in request.lines:
        outcome, reason = decide(line, rule)
        evaluated.append(ChildEvaluated(
            request_id=request.request_id, organisation_id=request.organisation_id, family_id=request.family_id,
            line_id=line.line_id, child_id=line.child_id, outcome=outcome, reason=reason,
            evaluated_by="erp", evaluator_id=evaluator_id,
        ))
    return evaluated


def evaluation_event_id(submitted_event_id: UUID, line_id: UUID) -> UUID:
    """The same submitted event and line always give the same event id.

    So a redelivered RequestSubmitted produces byte-for-byte the same evaluation event, and Konnect drops the
    copy by its event id: no local bookkeeping of handled events is needed on this side.
    """
    return uuid5(_EVALUATION_NAMESPACE, f"{submitted_event_id}/{line_id}")
