"""Directory read model statements: which organisation and family a child or parent belongs to, time zones."""

from dataclasses import dataclass
from typing import Any
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


# The calling parent's family and an organisation's time zone, as parts of the statements below and of the
# child's credits screen (db/credit_screen.py): written once.
CALLER_FAMILY = select(directory_parents.c.family_id).where(
    directory_parents.c.account_id == bindparam("account_id"), directory_parents.c.deleted.is_(False),
).scalar_subquery()


def time_zone_column(organisation_id: Any) -> Any:
    """The time zone of the organisation `organisation_id` (a column) names, as a scalar subquery."""
    return select(directory_organisations.c.time_zone).where(
        directory_organisations.c.organisation_id == organisation_id).scalar_subquery()


# Written once (a parent opens Tegoeden often): the child, the calling parent's family and the time zone.
CHILD_FACTS = select(
    directory_children.c.organisation_id, directory_children.c.family_id, CALLER_FAMILY.label("caller_family_id"),
    time_zone_column(directory_children.c.organisation_id).label("time_zone"),
).where(directory_children.c.child_id == bindparam("child_id"), directory_children.c.deleted.is_(False))


def facts_of(organisation_id: UUID | None, family_id: UUID | None, caller_family_id: UUID | None,
             time_zone: str | None) -> ChildFacts:
    """`ChildFacts` from `CHILD_FACTS`' columns (organisation None: the child is unknown or deleted)."""
    if organisation_id is None or family_id is None:  # no access rule needs the caller's family then
        return ChildFacts(None, None, None)
    return ChildFacts(KnownChild(organisation_id, family_id), caller_family_id, time_zone)


async def child_facts(session: AsyncSession, child_id: UUID, parent_account_id: UUID | None) -> ChildFacts:
    row = (await session.execute(CHILD_FACTS, {"child_id": child_id, "account_id": parent_account_id})).first()
    return facts_of(*row) if row else ChildFacts(None, None, None)
