"""Directory read model statements: which organisation and family a child or parent belongs to, time zones."""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from credits.db.models import directory_children, directory_organisations, directory_parents


@dataclass(frozen=True)
class KnownChild:
    organisation_id: UUID
    family_id: UUID


async def known_child(session: AsyncSession, child_id: UUID) -> KnownChild | None:
    """The child as identity last described it; None when unknown (yet) or deleted."""
    row = (await session.execute(select(directory_children.c.organisation_id, directory_children.c.family_id).where(
        directory_children.c.child_id == child_id, directory_children.c.deleted.is_(False)))).first()
    return KnownChild(row.organisation_id, row.family_id) if row else None


async def family_of_parent(session: AsyncSession, account_id: UUID) -> UUID | None:
    return await session.scalar(select(directory_parents.c.family_id).where(
        directory_parents.c.account_id == account_id, directory_parents.c.deleted.is_(False)))


async def time_zone_of(session: AsyncSession, organisation_id: UUID) -> str | None:
    return await session.scalar(select(directory_organisations.c.time_zone).where(
        directory_organisations.c.organisation_id == organisation_id))
