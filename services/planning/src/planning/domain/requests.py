"""Request line status: evaluation x credit reservation → status, all-or-nothing, and when a request is decided."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

LineStatus = Literal["pending", "accepted", "rejected", "expired", "cancelled"]
Outcome = Literal["accepted", "rejected"]
Reservation = Literal["none", "pending", "reserved", "failed"]

FINAL: frozenset[str] = frozenset({"accepted", "rejected", "expired", "cancelled"})
# Lines withdrawn by the parent or by time: final, but nobody evaluated them.
WITHDRAWN: frozenset[str] = frozenset({"expired", "cancelled"})
ALL_OR_NOTHING_REASON = "Another child's line of this request was rejected; the request is judged as a whole."


@dataclass(frozen=True)
class LineState:
    """The inputs that decide a line: who evaluated it how, and (credit lines) what credits answered."""

    line_id: str
    child_id: str
    payment: str  # "invoice" | "credit"
    status: LineStatus = "pending"
    evaluation: Outcome | None = None
    evaluation_reason: str | None = None
    reservation: Reservation = "none"
    reservation_reason: str | None = None
    reason: str | None = None


def verdict(line: LineState) -> tuple[LineStatus, str | None]:
    """What the line's own inputs say, ignoring the rest of the request.

    A credit line needs both answers: a failed reservation rejects it whatever the evaluation (there is no
    split payment); a rejected evaluation rejects it; it is accepted only when evaluated *and* reserved.
    """
    if line.status in FINAL:
        return line.status, line.reason
    if line.payment == "credit":
        if line.reservation == "failed":
            return "rejected", line.reservation_reason or "The credit could not be reserved."
        if line.evaluation == "rejected":
            return "rejected", line.evaluation_reason
        if line.evaluation == "accepted" and line.reservation == "reserved":
            return "accepted", line.evaluation_reason
        return "pending", None
    if line.evaluation is not None:
        return line.evaluation, line.evaluation_reason
    return "pending", None


def resolve(lines: Sequence[LineState], *, all_or_nothing: bool) -> list[LineState]:
    """The new state of every line.

    Per child (default): each line follows its own verdict. All-or-nothing: one rejection rejects every
    line still open; acceptance waits until every open line is accepted, so no care is planned (and undone)
    for one child while another's answer is outstanding.
    """
    verdicts = [verdict(line) for line in lines]
    if not all_or_nothing:
        return [replace(line, status=s, reason=r) for line, (s, r) in zip(lines, verdicts, strict=True)]
    open_verdicts = [v for line, v in zip(lines, verdicts, strict=True) if line.status not in WITHDRAWN]
    any_rejected = any(s == "rejected" for s, _ in open_verdicts)
    all_accepted = bool(open_verdicts) and all(s == "accepted" for s, _ in open_verdicts)
    resolved = []
    for line, (status, reason) in zip(lines, verdicts, strict=True):
        if line.status in FINAL:
            resolved.append(line)
        elif any_rejected:
            own_rejection = status == "rejected"
            resolved.append(replace(line, status="rejected", reason=reason if own_rejection else ALL_OR_NOTHING_REASON))
        elif all_accepted:
            resolved.append(replace(line, status="accepted", reason=reason))
        else:
            resolved.append(replace(line, status="pending", reason=None))
    return resolved


def is_decided(lines: Sequence[LineState]) -> bool:
    """Every line is final and at least one was judged: the moment for the one `RequestDecided`."""
    return all(line.status in FINAL for line in lines) and any(line.status not in WITHDRAWN for line in lines)


def newly_final(before: Sequence[LineState], after: Sequence[LineState]) -> list[LineState]:
    """Lines that moved from pending to a final status in this step (their effects are due now)."""
    return [new for old, new in zip(before, after, strict=True) if old.status == "pending" and new.status in FINAL]
