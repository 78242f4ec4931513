"""Observations: templates (admins), filled in about a child and shared with its parents (staff), read per child."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from konnect_contracts.events.timeline import ObservationShared
from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden, Invalid, NotFound
from konnect_kit.internal import Caller
from konnect_kit.outbox import Outbox
from konnect_kit.tenancy import require_managed

from timeline.db import Row
from timeline.db import observation_queries as queries
from timeline.domain.observations import filled_in
from timeline.service_layer.location_access import Viewer, child_for

OBSERVERS = frozenset({"staff", "org_admin", "platform_operator"})


@dataclass(frozen=True)
class Question:
    question_id: str
    text: str


async def put_template(session: Session, who: Caller, template_id: UUID, organisation_id: UUID, title: str,
                       questions: list[Question], active: bool, now: datetime) -> Row:
    """Create or replace a template; another organisation's template id is a 404, never overwritten."""
    require_managed(who, organisation_id, refusal="Only administrators manage observation templates.")
    if len({q.question_id for q in questions}) != len(questions):
        raise Invalid("duplicate_question", "Each question needs its own question_id.")
    if not title.strip() or any(not q.text.strip() for q in questions):
        raise Invalid("empty_text", "The title and every question need text.")
    existing = await queries.template_organisation(session, template_id)
    if existing is not None and existing != organisation_id:
        raise NotFound("not_found", "No such template.")
    values: dict[str, Any] = {"organisation_id": organisation_id, "title": title.strip(), "active": active,
                              "questions": [{"question_id": q.question_id, "text": q.text.strip()} for q in questions],
                              "updated_at": now}
    return await queries.put_template(session, template_id, values)


async def templates(session: Session, viewer: Viewer) -> list[Row]:
    if viewer.role not in OBSERVERS:
        raise Forbidden("forbidden", "Only staff and administrators fill in observations.")
    return await queries.active_templates(session, viewer.organisation_id)


async def _placement_of(session: Session, child_id: UUID, today: date) -> Row | None:
    return await queries.first_placement(session, child_id, today)


async def share(session: Session, outbox: Outbox, viewer: Viewer, child_id: UUID, template_id: UUID,
                answers: dict[str, str], now: datetime) -> Row:
    """Staff of the child's group (or an administrator) share a filled-in form; the parents see it at once."""
    organisation_id, family_id = await child_for(session, viewer, child_id)
    if viewer.role not in OBSERVERS:
        raise Forbidden("forbidden", "Only staff and administrators fill in observations.")
    placement = await _placement_of(session, child_id, now.date())
    if placement is None:
        raise Invalid("child_not_placed", "The child is not placed in a group.")
    if viewer.role == "staff" and placement.group_id not in viewer.staff_group_ids:
        raise Forbidden("forbidden", "Staff observe the children of the groups they work in.")
    template = await queries.template(session, template_id, organisation_id)
    if template is None:
        raise NotFound("not_found", "No such template.")
    if not template.active:
        raise Invalid("template_inactive", "This template is no longer in use.")
    form = filled_in(template.questions, answers)
    row = await queries.insert_observation(
        session, observation_id=uuid.uuid4(), organisation_id=organisation_id, location_id=placement.location_id,
        child_id=child_id, family_id=family_id, template_id=template_id, form_title=template.title, answers=form,
        author_staff_id=viewer.actor_id, shared_at=now)
    await outbox.publish(session, ObservationShared(
        observation_id=row.observation_id, organisation_id=organisation_id, location_id=placement.location_id,
        child_id=child_id, form_title=template.title, shared_by_staff_id=_staff_uuid(viewer)),
        organisation_id=organisation_id)
    return row


def _staff_uuid(viewer: Viewer) -> UUID:
    """The staff id the event names: the directory's staff id, else the account (admins may have no staff record)."""
    if viewer.staff_id is not None:
        return viewer.staff_id
    try:
        return UUID(viewer.actor_id)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"konnect:{viewer.role}:{viewer.actor_id}")


async def of_child(session: Session, viewer: Viewer, child_id: UUID) -> list[Row]:
    """A child's observations, newest first: its own parents, and staff or admins of its organisation."""
    await child_for(session, viewer, child_id)
    return await queries.observations_of_child(session, child_id)


async def visible_observation(session: Session, viewer: Viewer, observation_id: UUID) -> Row:
    row = await queries.observation(session, observation_id)
    if row is None or not viewer.covers(row.organisation_id) or (
            viewer.is_parent and viewer.family_id != row.family_id):
        raise NotFound("not_found", "No such observation.")
    return row
