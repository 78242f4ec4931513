"""Read models kept from other services' events (children, submitted requests, organisations) and their reads."""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from konnect_kit.db import driver
from konnect_kit.read_models import upsert_if_newer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.models import children, organisations
from notifications.domain.mail_texts import Sender


@dataclass(frozen=True)
class Parent:
    account_id: UUID
    email: str
    display_name: str
    language: str


async def upsert_child(session: AsyncSession, *, child_id: UUID, version: int, values: dict[str, Any]) -> None:
    # Same rule as recipients: only a newer version overwrites, and a deleted child stays a nameless tombstone.
    await upsert_if_newer(session, children, {"child_id": child_id}, {**values, "version": version})


async def child_names(session: AsyncSession, child_ids: Iterable[UUID]) -> dict[UUID, str]:
    """First names of the children we know (and that are not deleted); missing ids are simply absent."""
    ids = list(set(child_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(children.c.child_id, children.c.first_name)
        .where(children.c.child_id.in_(ids), children.c.first_name.is_not(None), children.c.deleted.is_(False))
    )
    return {row.child_id: row.first_name for row in rows}


async def remember_request(session: AsyncSession, *, request_id: UUID, organisation_id: UUID, family_id: UUID,
                           kind: str, lines: list[dict[str, Any]]) -> None:
    # A submitted request never changes: the first copy is kept, a redelivery or replay does nothing. Driver-level
    # (konnect_kit.db.driver): every request's submission reaches here, beside the saga's evaluation (round 18).
    await (await driver(session)).execute(
        "INSERT INTO requests (request_id, organisation_id, family_id, kind, lines) "
        "VALUES ($1::uuid, $2::uuid, $3::uuid, $4::text, $5::text::jsonb) ON CONFLICT (request_id) DO NOTHING",
        request_id, organisation_id, family_id, kind, json.dumps(lines))


async def upsert_organisation(session: AsyncSession, *, organisation_id: UUID, version: int,
                              values: dict[str, Any]) -> None:
    await upsert_if_newer(session, organisations, {"organisation_id": organisation_id}, {**values, "version": version})


async def sender_of(session: AsyncSession, organisation_id: UUID | None) -> Sender:
    """The organisation a mail comes from; plain "Konnect" until its OrganisationUpserted has been seen."""
    if organisation_id is None:
        return Sender()
    row = (await session.execute(
        select(organisations.c.name, organisations.c.email, organisations.c.logo_url)
        .where(organisations.c.organisation_id == organisation_id))).first()
    return Sender(row.name, row.logo_url, row.email) if row else Sender()
