"""Queries of observation templates, observations and the attachments of items and observations."""

from datetime import date
from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from sqlalchemy import Row, func, select, update
from sqlalchemy.dialects.postgresql import insert

from timeline.db.location import (
    loc_placements,
    location_item_attachments,
    observation_attachments,
    observation_templates,
    observations,
)
from timeline.db.visibility import placements


async def template_organisation(session: Session, template_id: UUID) -> UUID | None:
    return await session.scalar(select(observation_templates.c.organisation_id).where(
        observation_templates.c.template_id == template_id))


async def put_template(session: Session, template_id: UUID, values: dict[str, Any]) -> Row:
    return (await session.execute(insert(observation_templates).values(template_id=template_id, **values)
                                  .on_conflict_do_update(index_elements=["template_id"], set_=values)
                                  .returning(*observation_templates.c))).one()


async def active_templates(session: Session, organisation_id: UUID | None) -> list[Row]:
    query = select(observation_templates).where(observation_templates.c.active.is_(True))
    if organisation_id is not None:
        query = query.where(observation_templates.c.organisation_id == organisation_id)
    return list((await session.execute(query.order_by(observation_templates.c.title))).all())


async def template(session: Session, template_id: UUID, organisation_id: UUID) -> Row | None:
    return (await session.execute(select(observation_templates).where(
        observation_templates.c.template_id == template_id,
        observation_templates.c.organisation_id == organisation_id))).first()


async def first_placement(session: Session, child_id: UUID, today: date) -> Row | None:
    """(group_id, location_id) of the child's earliest placement that has not ended."""
    return (await session.execute(placements(today, child_ids=[child_id])
                                  .order_by(loc_placements.c.starts_on))).first()


async def insert_observation(session: Session, **values: Any) -> Row:
    return (await session.execute(observations.insert().values(**values).returning(*observations.c))).one()


async def observations_of_child(session: Session, child_id: UUID) -> list[Row]:
    return list((await session.execute(select(observations).where(observations.c.child_id == child_id).order_by(
        observations.c.shared_at.desc(), observations.c.observation_id.desc()))).all())


async def observation(session: Session, observation_id: UUID) -> Row | None:
    return (await session.execute(select(observations).where(
        observations.c.observation_id == observation_id))).first()


# -- attachments of items and observations ------------------------------------------------------------------------

async def item_attachment_count(session: Session, item_id: UUID) -> int:
    return await session.scalar(select(func.count()).select_from(location_item_attachments).where(
        location_item_attachments.c.item_id == item_id)) or 0


async def insert_item_attachment(session: Session, **values: Any) -> None:
    await session.execute(location_item_attachments.insert().values(**values))


async def item_attachment(session: Session, item_id: UUID, attachment_id: UUID, *, ready: bool = False,
                          lock: bool = False) -> Row | None:
    query = select(location_item_attachments).where(location_item_attachments.c.attachment_id == attachment_id,
                                                    location_item_attachments.c.item_id == item_id)
    if ready:
        query = query.where(location_item_attachments.c.status == "ready")
    return (await session.execute(query.with_for_update() if lock else query)).first()


async def item_attachment_ready(session: Session, attachment_id: UUID, content_type: str, size: int) -> Row:
    return (await session.execute(update(location_item_attachments).where(
        location_item_attachments.c.attachment_id == attachment_id).values(
        status="ready", content_type=content_type, size_bytes=size).returning(*location_item_attachments.c))).one()


async def observation_attachment(session: Session, observation_id: UUID, *, ready: bool = False,
                                 lock: bool = False) -> Row | None:
    query = select(observation_attachments).where(observation_attachments.c.observation_id == observation_id)
    if ready:
        query = query.where(observation_attachments.c.status == "ready")
    return (await session.execute(query.with_for_update() if lock else query)).first()


async def put_observation_attachment(session: Session, observation_id: UUID, values: dict[str, Any], *,
                                     replace: bool) -> None:
    if replace:
        await session.execute(update(observation_attachments).where(
            observation_attachments.c.observation_id == observation_id).values(**values))
    else:
        await session.execute(observation_attachments.insert().values(observation_id=observation_id, **values))


async def observation_attachment_ready(session: Session, observation_id: UUID, content_type: str, size: int) -> Row:
    return (await session.execute(update(observation_attachments).where(
        observation_attachments.c.observation_id == observation_id).values(
        status="ready", content_type=content_type, size_bytes=size).returning(*observation_attachments.c))).one()


async def ready_observation_attachments(session: Session, observation_ids: list[UUID]) -> dict[UUID, Row]:
    if not observation_ids:
        return {}
    rows = await session.execute(select(observation_attachments).where(
        observation_attachments.c.observation_id.in_(observation_ids), observation_attachments.c.status == "ready"))
    return {row.observation_id: row for row in rows}
