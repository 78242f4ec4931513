"""Who is addressed by a post: parents of children (children read model), of a group, location or organisation
(placements and groups read models from identity's directory)."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from konnect_kit.read_models import upsert_if_newer
from sqlalchemy import Boolean, Column, Date, DateTime, Integer, Table, Uuid, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.db.models import children, metadata, recipients
from notifications.db.read_models import Parent

placements = Table(
    "placements",
    metadata,
    Column("placement_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("child_id", Uuid, nullable=False, index=True),
    Column("family_id", Uuid, nullable=False),
    Column("group_id", Uuid, nullable=False, index=True),
    Column("location_id", Uuid),
    Column("ends_on", Date),
    Column("deleted", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

groups = Table(
    "groups",
    metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("location_id", Uuid, nullable=False, index=True),
    Column("deleted", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


async def upsert_placement(session: AsyncSession, *, placement_id: UUID, version: int, values: dict[str, Any]) -> None:
    await upsert_if_newer(session, placements, {"placement_id": placement_id}, {**values, "version": version})


async def upsert_group(session: AsyncSession, *, group_id: UUID, version: int, values: dict[str, Any]) -> None:
    await upsert_if_newer(session, groups, {"group_id": group_id}, {**values, "version": version})


async def parents_of_children(session: AsyncSession, child_ids: Iterable[UUID]) -> dict[UUID, tuple[UUID, ...]]:
    """Each active parent login of these children's families, with the children (of the list) it is a parent of."""
    ids = list(set(child_ids))
    if not ids:
        return {}
    rows = await session.execute(
        select(recipients.c.account_id, children.c.child_id)
        .join(children, children.c.family_id == recipients.c.family_id)
        .where(children.c.child_id.in_(ids), children.c.deleted.is_(False), recipients.c.role == "parent",
               recipients.c.active.is_(True)))
    found: dict[UUID, list[UUID]] = defaultdict(list)
    for row in rows:
        found[row.account_id].append(row.child_id)
    return {account: tuple(sorted(kids)) for account, kids in found.items()}


async def parents_in(session: AsyncSession, *, organisation_id: UUID, location_id: UUID | None = None,
                     group_id: UUID | None = None, today: date) -> set[UUID]:
    """Active parent logins of the organisation, or of families with a current placement at a location/group."""
    parent = select(recipients.c.account_id).where(
        recipients.c.organisation_id == organisation_id, recipients.c.role == "parent",
        recipients.c.active.is_(True))
    if location_id is None and group_id is None:
        return set(await session.scalars(parent))
    current = [placements.c.organisation_id == organisation_id, placements.c.deleted.is_(False),
               or_(placements.c.ends_on.is_(None), placements.c.ends_on >= today)]
    if group_id is not None:
        current.append(placements.c.group_id == group_id)
    else:
        # A placement names its location, or only its group (whose location the groups read model knows).
        at_location = select(groups.c.group_id).where(groups.c.location_id == location_id)
        current.append(or_(placements.c.location_id == location_id, placements.c.group_id.in_(at_location)))
    families = select(placements.c.family_id).where(*current)
    return set(await session.scalars(parent.where(recipients.c.family_id.in_(families))))


async def people(session: AsyncSession, account_ids: list[UUID]) -> dict[UUID, Parent]:
    """E-mail, name and language of these accounts (active logins only)."""
    rows = await session.execute(
        select(recipients.c.account_id, recipients.c.email, recipients.c.display_name, recipients.c.language)
        .where(recipients.c.account_id.in_(account_ids), recipients.c.active.is_(True)))
    return {row.account_id: Parent(row.account_id, row.email, row.display_name, row.language) for row in rows}
