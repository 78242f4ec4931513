"""Directory read model statements: which organisation and family a child or parent belongs to, time zones."""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import bindparam, select
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


async def time_zone_of(session: AsyncSession, organisation_id: UUID) -> str | None:
    return await session.scalar(select(directory_organisations.c.time_zone).where(
        directory_organisations.c.organisation_id == organisation_id))


@dataclass(frozen=True)
class ChildFacts:
    """What reading a child's credits needs to know first, from one statement."""

    child: KnownChild | None
    caller_family_id: UUID | None  # the calling parent's family (None when not a parent or unknown)
    time_zone: str | None  # the child's organisation's


# Written once (a parent opens Tegoeden often): the child, the calling parent's family and the time zone.
_CHILD_FACTS = select(
    directory_children.c.organisation_id, directory_children.c.family_id,
    select(directory_parents.c.family_id).where(directory_parents.c.account_id == bindparam("account_id"),
                                                 directory_parents.c.deleted.is_(False))
    .scalar_subquery().label("caller_family_id"),
    select(directory_organisations.c.time_zone)
    .where(directory_organisations.c.organisation_id == directory_children.c.organisation_id)
    .scalar_subquery().label("time_zone"),
).where(directory_children.c.child_id == bindparam("child_id"), directory_children.c.deleted.is_(False))


async def child_facts(session: AsyncSession, child_id: UUID, parent_account_id: UUID | None) -> ChildFacts:
    row = (await session.execute(_CHILD_FACTS, {"child_id": child_id, "account_id": parent_account_id})).first()
    if row is None:  # unknown or deleted: no access rule needs the caller's family then
        return ChildFacts(None, None, None)
    return ChildFacts(KnownChild(row.organisation_id, row.family_id), row.caller_family_id, row.time_zone)
