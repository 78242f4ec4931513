"""Absences: registered at once (no evaluation), freeing the place through care changes; cancellable in policy."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from konnect_contracts.events.requests import AbsenceCancelled, AbsenceReported
from konnect_kit.db import Session
from konnect_kit.internal import Caller
from konnect_kit.outbox import Outbox

from planning.db import absence_store
from planning.db.absence_store import StoredAbsence
from planning.db.care_changes import add_care_changes, withdraw_care_changes
from planning.domain.periods import cancel_blocked_reason, check_period, dates_between
from planning.domain.refusals import Refusal
from planning.service_layer import integrator_events
from planning.service_layer.booking import lock_family
from planning.service_layer.calendar import FamilyRecord, child, organisation_calendar, planned_parts
from planning.service_layer.callers import actor_uuid


@dataclass(frozen=True)
class AbsenceAsk:
    child_id: UUID
    day_part_ids: list[UUID]  # empty: every planned day part


async def _missed_parts(session: Session, ask: AbsenceAsk, starts_on: date, ends_on: date
                        ) -> list[tuple[date, UUID, UUID]]:
    """(date, day part, group) for each planned part the child will miss; refuses what is not planned."""
    single = starts_on == ends_on
    missed: list[tuple[date, UUID, UUID]] = []
    for day in dates_between(starts_on, ends_on):
        planned = {p.day_part_id: p for p in await planned_parts(session, ask.child_id, day)}
        present = {k: p for k, p in planned.items() if not p.absent}
        wanted = ask.day_part_ids or list(present)
        if single:
            unplanned = [str(p) for p in wanted if p not in planned]
            if unplanned or not wanted:
                raise Refusal("not_planned", f"The child is not planned then on {day.isoformat()}.",
                              {"date": day.isoformat(), "day_part_ids": unplanned})
            if not any(p in present for p in wanted):
                raise Refusal("already_absent", f"An absence is already registered on {day.isoformat()}.",
                              {"date": day.isoformat()})
        for part in wanted:
            if part in present:
                missed.append((day, part, present[part].group_id))
    if not missed:
        raise Refusal("not_planned", "The child is not planned on any of these dates.",
                      {"starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})
    return missed


async def report(session: Session, outbox: Outbox, *, who: Caller, family: FamilyRecord,
                 asks: list[AbsenceAsk], starts_on: date, ends_on: date, reason: str, note: str | None,
                 now: datetime) -> list[UUID]:
    """One absence per child, registered now; the schedule changes free the places; one event per child."""
    await lock_family(session, family.family_id)
    calendar = await organisation_calendar(session, family.organisation_id)
    check_period(starts_on, ends_on, calendar.today(now))
    if len({a.child_id for a in asks}) != len(asks):
        raise Refusal("duplicate_child", "A child is named twice.")
    planned: list[tuple[AbsenceAsk, list[tuple[date, UUID, UUID]]]] = []
    for ask in asks:
        record = await child(session, ask.child_id)
        if record is None or record.family_id != family.family_id:
            raise Refusal("not_found", "No such child in this family.", {"child_id": str(ask.child_id)},
                          kind="not_found")
        planned.append((ask, await _missed_parts(session, ask, starts_on, ends_on)))
    ids = []
    for ask, missed in planned:
        absence_id = uuid.uuid4()
        parts = list(dict.fromkeys(part for _, part, _ in missed))
        await absence_store.store_absence(session, dict(
            absence_id=absence_id, organisation_id=family.organisation_id, family_id=family.family_id,
            child_id=ask.child_id, group_id=missed[0][2], starts_on=starts_on, ends_on=ends_on, day_part_ids=parts,
            reason=reason, note=note, status="registered", reported_by=who.actor_id, reported_at=now))
        await add_care_changes(session, [
            {"change_id": uuid.uuid4(), "organisation_id": family.organisation_id, "child_id": ask.child_id,
             "group_id": group_id, "date": day, "day_part_id": part, "delta": -1, "source_kind": "absence",
             "source_id": absence_id} for day, part, group_id in missed])
        await integrator_events.publish(session, outbox, AbsenceReported(
            absence_id=absence_id, organisation_id=family.organisation_id, family_id=family.family_id,
            child_id=ask.child_id, starts_on=starts_on, ends_on=ends_on, day_part_ids=tuple(parts),
            reason=reason, note=note, reported_by_account_id=actor_uuid(who)))  # type: ignore[arg-type]
        ids.append(absence_id)
    return ids


async def cancel(session: Session, outbox: Outbox, *, who: Caller, absence: StoredAbsence,
                 now: datetime) -> None:
    """Within the policy window: the absence is cancelled and the care is planned again."""
    if absence.status != "registered":
        raise Refusal("not_cancellable", f"This absence is {absence.status}.", kind="conflict")
    calendar = await organisation_calendar(session, absence.organisation_id)
    blocked = cancel_blocked_reason(absence.starts_on, now, calendar.time_zone, calendar.cancel_window_hours)
    if blocked:
        raise Refusal("cancel_window_passed", blocked, kind="conflict")
    await absence_store.mark_cancelled(session, absence.absence_id, now)
    await withdraw_care_changes(session, absence.absence_id)
    await integrator_events.publish(session, outbox, AbsenceCancelled(
        absence_id=absence.absence_id, organisation_id=absence.organisation_id, family_id=absence.family_id,
        child_id=absence.child_id, cancelled_by_account_id=actor_uuid(who)))


async def lock_absence(session: Session, absence_id: UUID) -> StoredAbsence | None:
    return await absence_store.lock_absence(session, absence_id)
