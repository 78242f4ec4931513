"""Observation routes: templates (admins), sharing a filled-in form about a child (staff), reading them (parents)."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter
from konnect_kit.clock import ClockDep
from konnect_kit.internal import CallerDep
from konnect_kit.service import KitDep, SessionDep

from timeline.api.observation_models import (
    AnswerOut,
    ObservationAttachmentOut,
    ObservationIn,
    ObservationOut,
    ObservationsOut,
    QuestionIn,
    TemplateIn,
    TemplateOut,
    TemplatesOut,
)
from timeline.service_layer import observations
from timeline.service_layer.location_access import viewer_for
from timeline.service_layer.location_attachments import ready_observation_attachments
from timeline.service_layer.observations import Question

router = APIRouter(tags=["observations"])


def _template_out(row: Any) -> TemplateOut:
    return TemplateOut(template_id=row.template_id, organisation_id=row.organisation_id, title=row.title,
                       questions=[QuestionIn(**q) for q in row.questions], active=row.active)


def observation_out(row: Any, attached: Any = None) -> ObservationOut:
    attachment = None if attached is None else ObservationAttachmentOut(
        file_name=attached.file_name, content_type=attached.content_type, size_bytes=attached.size_bytes,
        is_pdf=attached.content_type == "application/pdf")
    return ObservationOut(observation_id=row.observation_id, child_id=row.child_id, template_id=row.template_id,
                          form_title=row.form_title, answers=[AnswerOut(**a) for a in row.answers],
                          shared_at=row.shared_at, attachment=attachment)


@router.put("/admin/observation-templates/{template_id}", response_model=TemplateOut,
            summary="Create or change an observation template")
async def put_template(template_id: UUID, body: TemplateIn, who: CallerDep, session: SessionDep,
                       clock: ClockDep) -> TemplateOut:
    """The questions staff answer about a child; a template in use keeps the forms already shared as they were."""
    row = await observations.put_template(
        session, who, template_id, body.organisation_id, body.title,
        [Question(q.question_id, q.text) for q in body.questions], body.active, clock.now())
    return _template_out(row)


@router.get("/observation-templates", response_model=TemplatesOut, summary="Observation templates in use")
async def list_templates(who: CallerDep, session: SessionDep, clock: ClockDep) -> TemplatesOut:
    """The active templates of the caller's organisation (staff and administrators)."""
    viewer = await viewer_for(session, who, clock.now().date())
    return TemplatesOut(items=[_template_out(r) for r in await observations.templates(session, viewer)])


@router.post("/children/{child_id}/observations", response_model=ObservationOut, status_code=201,
             summary="Share an observation about a child with its parents")
async def share_observation(child_id: UUID, body: ObservationIn, who: CallerDep, session: SessionDep, kit: KitDep,
                            clock: ClockDep) -> ObservationOut:
    """Staff of the child's group (or an administrator) fill in a template; the child's parents see it at once."""
    viewer = await viewer_for(session, who, clock.now().date())
    row = await observations.share(session, kit.outbox, viewer, child_id, body.template_id, body.answers,
                                   clock.now())
    return observation_out(row)


@router.get("/children/{child_id}/observations", response_model=ObservationsOut,
            summary="A child's observations, newest first")
async def child_observations(child_id: UUID, who: CallerDep, session: SessionDep, clock: ClockDep) -> ObservationsOut:
    """The child's own parents, and staff and administrators of its organisation; 404 for anyone else."""
    viewer = await viewer_for(session, who, clock.now().date())
    rows = await observations.of_child(session, viewer, child_id)
    attached = await ready_observation_attachments(session, [r.observation_id for r in rows])
    return ObservationsOut(items=[observation_out(r, attached.get(r.observation_id)) for r in rows])


@router.get("/observations/{observation_id}", response_model=ObservationOut, summary="One observation in full")
async def one_observation(observation_id: UUID, who: CallerDep, session: SessionDep,
                          clock: ClockDep) -> ObservationOut:
    viewer = await viewer_for(session, who, clock.now().date())
    row = await observations.visible_observation(session, viewer, observation_id)
    return observation_out(row, (await ready_observation_attachments(session, [observation_id])).get(observation_id))
