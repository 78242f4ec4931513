"""Read-model statements for request mail: children's names, request lines, the parents of a family."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from konnect_kit.read_models import upsert_if_newer
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.models import children, organisations, recipients, requests
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
    # A submitted request never changes: the first copy is kept, a redelivery or replay does nothing.
    await session.execute(
        insert(requests).values(request_id=request_id, organisation_id=organisation_id, family_id=family_id,
                                kind=kind, lines=lines)
        .on_conflict_do_nothing(index_elements=[requests.c.request_id])
    )


async def request_of(session: AsyncSession, request_id: UUID) -> tuple[str, dict[UUID, dict[str, Any]]] | None:
    """(kind, lines by line id) of a remembered request, or None when its RequestSubmitted was not seen."""
    row = (await session.execute(
        select(requests.c.kind, requests.c.lines).where(requests.c.request_id == request_id)
    )).first()
    if row is None:
        return None
    return row.kind, {UUID(line["line_id"]): line for line in row.lines}


async def parents_of(session: AsyncSession, *, organisation_id: UUID, family_id: UUID) -> list[Parent]:
    """Every active parent account of the family that has an address: each of them gets their own mail."""
    rows = await session.execute(
        select(recipients.c.account_id, recipients.c.email, recipients.c.display_name, recipients.c.language)
        .where(recipients.c.role == "parent", recipients.c.family_id == family_id,
               recipients.c.organisation_id == organisation_id, recipients.c.active.is_(True),
               recipients.c.email.is_not(None))
        .order_by(recipients.c.account_id)
    )
    return [Parent(row.account_id, row.email, row.display_name, row.language) for row in rows]


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
