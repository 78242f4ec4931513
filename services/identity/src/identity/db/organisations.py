"""Organisation statements: the tenants, each with a name, time zone, optional ERP id and a version."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.models import organisations


@dataclass(frozen=True)
class Organisation:
    organisation_id: UUID
    name: str
    time_zone: str
    external_id: str | None
    version: int
    email: str | None = None
    logo_url: str | None = None


async def organisation(session: AsyncSession, organisation_id: UUID, *, lock: bool = False) -> Organisation | None:
    query = select(organisations.c.organisation_id, organisations.c.name, organisations.c.time_zone,
                   organisations.c.external_id, organisations.c.version, organisations.c.email,
                   organisations.c.logo_url
                   ).where(organisations.c.organisation_id == organisation_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    return Organisation(**row._mapping) if row else None


async def external_id_used_by_other(session: AsyncSession, external_id: str, organisation_id: UUID) -> bool:
    return await session.scalar(select(organisations.c.organisation_id).where(
        organisations.c.external_id == external_id, organisations.c.organisation_id != organisation_id)) is not None


async def save_organisation(session: AsyncSession, organisation_id: UUID, values: dict[str, Any]) -> None:
    await session.execute(insert(organisations).values(organisation_id=organisation_id, **values)
                          .on_conflict_do_update(index_elements=[organisations.c.organisation_id], set_=values))
