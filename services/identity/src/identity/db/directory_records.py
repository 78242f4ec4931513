"""Directory record statements by kind (location, group, staff, ...): read, page, lock, write, their links.

Every statement is scoped to one organisation: a record of another tenant is read like a missing one, and an
upsert of an id another tenant uses writes nothing.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from uuid import UUID

from sqlalchemy import Table, and_, delete, exists, func, insert, select
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.directory import (
    children,
    consent_kinds,
    consents,
    families,
    groups,
    locations,
    parents,
    placements,
    staff,
    staff_groups,
)

Record = dict[str, Any]


@dataclass(frozen=True)
class Kind:
    table: Table
    id_column: str
    order: tuple[str, ...]  # list order of a page


KINDS = {
    "location": Kind(locations, "location_id", ("name", "location_id")),
    "group": Kind(groups, "group_id", ("name", "group_id")),
    "staff": Kind(staff, "staff_id", ("name", "staff_id")),
    "family": Kind(families, "family_id", ("name", "family_id")),
    "parent": Kind(parents, "parent_id", ("name", "parent_id")),
    "child": Kind(children, "child_id", ("last_name", "first_name", "child_id")),
    "placement": Kind(placements, "placement_id", ("starts_on", "placement_id")),
    "consent_kind": Kind(consent_kinds, "key", ("key",)),
    "consent": Kind(consents, "kind_key", ("child_id", "kind_key")),
}


def _key(table: Table, key: Mapping[str, Any]) -> Any:
    return and_(*(table.c[column] == value for column, value in key.items()))


async def reference(session: AsyncSession, kind: str, record_id: UUID, organisation_id: UUID) -> Record | None:
    """The record of `kind` with this id, if it is this organisation's."""
    spec = KINDS[kind]
    row = (await session.execute(select(spec.table).where(
        spec.table.c[spec.id_column] == record_id, spec.table.c.organisation_id == organisation_id))).first()
    return dict(row._mapping) if row else None


async def record_in_scope(session: AsyncSession, kind: str, key: Mapping[str, Any], scope: Any) -> Record | None:
    """The record with this key if its organisation lies inside `scope` (a `konnect_kit.tenancy` scope)."""
    table = KINDS[kind].table
    row = (await session.execute(select(table).where(_key(table, key), scope.clause(table.c.organisation_id)))).first()
    return dict(row._mapping) if row else None


async def records_page(session: AsyncSession, kind: str, organisation_id: UUID, filters: Mapping[str, Any],
                       limit: int, offset: int) -> list[Record]:
    """Up to `limit` records of the organisation in the kind's order from `offset` (equality `filters`)."""
    spec = KINDS[kind]
    table = spec.table
    query = (select(table).where(table.c.organisation_id == organisation_id,
                                 *(table.c[column] == value for column, value in filters.items()))
             .order_by(*(table.c[column] for column in spec.order)))
    return [dict(row._mapping) for row in await session.execute(query.limit(limit).offset(offset))]


async def records_of(session: AsyncSession, kind: str, organisation_id: UUID) -> list[Record]:
    table = KINDS[kind].table
    return [dict(row._mapping) for row in await session.execute(
        select(table).where(table.c.organisation_id == organisation_id))]


async def lock_record(session: AsyncSession, kind: str, key: Mapping[str, Any],
                      organisation_id: UUID) -> Record | None:
    """This organisation's record with this key, locked until commit."""
    table = KINDS[kind].table
    row = (await session.execute(select(table).where(
        _key(table, key), table.c.organisation_id == organisation_id).with_for_update())).first()
    return dict(row._mapping) if row else None


async def external_id_used(session: AsyncSession, kind: str, organisation_id: UUID, external_id: Any,
                           key: Mapping[str, Any]) -> bool:
    """Another record of this kind in the organisation (not the one with `key`) has this ERP id."""
    table = KINDS[kind].table
    taken = await session.scalar(select(func.count()).select_from(table).where(
        table.c.organisation_id == organisation_id, table.c.external_id == external_id, ~_key(table, key)))
    return bool(taken)


Written = Literal["written", "other_tenant", "external_id_taken"]


async def write_record(session: AsyncSession, kind: str, key: Mapping[str, Any], organisation_id: UUID,
                       values: Mapping[str, Any], *, now_columns: tuple[str, ...] = ()) -> Written:
    """Insert or update the record (`values` include its version; `now_columns` are set to the database time).

    Only this organisation's row is updated: an id another organisation uses writes nothing ("other_tenant").
    """
    table = KINDS[kind].table
    changes = {**values, "updated_at": func.now(), **{column: func.now() for column in now_columns}}
    mine = table.c.organisation_id == organisation_id
    statement = upsert(table).values({**key, "organisation_id": organisation_id, **changes})
    statement = statement.on_conflict_do_update(index_elements=list(key), set_=changes, where=mine)
    try:
        written = (await session.execute(statement.returning(table.c.version))).first()
    except IntegrityError as exc:  # a concurrent writer took the ERP id between the check and this insert
        if "external_id_key" in str(exc):
            return "external_id_taken"
        raise
    return "written" if written is not None else "other_tenant"


async def group_ids_of_staff(session: AsyncSession, staff_id: UUID) -> list[UUID]:
    """The groups a staff member works on, in id order."""
    ids = (await session.scalars(select(staff_groups.c.group_id).where(staff_groups.c.staff_id == staff_id))).all()
    return sorted(ids, key=str)


async def replace_staff_groups(session: AsyncSession, staff_id: UUID, group_ids: list[UUID]) -> None:
    await session.execute(delete(staff_groups).where(staff_groups.c.staff_id == staff_id))
    if group_ids:
        await session.execute(insert(staff_groups), [{"staff_id": staff_id, "group_id": g} for g in group_ids])


async def parent_ids_of_family(session: AsyncSession, family_id: UUID) -> list[UUID]:
    """The family's parents (their account ids), in id order."""
    return list((await session.scalars(select(parents.c.parent_id).where(parents.c.family_id == family_id)
                                       .order_by(parents.c.parent_id))).all())


async def photo_consent(session: AsyncSession, child_id: UUID) -> bool:
    """The parents allowed photos of the child to be shared (no answer yet: not allowed)."""
    return bool(await session.scalar(select(consents.c.granted).where(
        consents.c.child_id == child_id, consents.c.kind_key == "photo_sharing")))


async def family_of_child(session: AsyncSession, child_id: UUID) -> UUID | None:
    return await session.scalar(select(children.c.family_id).where(children.c.child_id == child_id))


async def location_of_group(session: AsyncSession, group_id: UUID) -> UUID | None:
    return await session.scalar(select(groups.c.location_id).where(groups.c.group_id == group_id))


async def is_parent_in_family(session: AsyncSession, parent_id: UUID, family_id: UUID) -> bool:
    return bool(await session.scalar(select(exists().where(parents.c.parent_id == parent_id,
                                                           parents.c.family_id == family_id))))


async def language_of_parent(session: AsyncSession, parent_id: UUID) -> str | None:
    return await session.scalar(select(parents.c.language).where(parents.c.parent_id == parent_id))


async def family_name(session: AsyncSession, family_id: UUID) -> str | None:
    return await session.scalar(select(families.c.name).where(families.c.family_id == family_id))


async def placement_ends_with_staff(session: AsyncSession, staff_id: UUID, child_id: UUID) -> list[date | None]:
    """End dates of the child's placements on groups where this staff member (active) works."""
    query = (
        select(placements.c.ends_on)
        .join(staff_groups, staff_groups.c.group_id == placements.c.group_id)
        .join(staff, and_(staff.c.staff_id == staff_groups.c.staff_id, staff.c.active))
        .where(placements.c.child_id == child_id, staff_groups.c.staff_id == staff_id)
    )
    return list((await session.scalars(query)).all())


async def consent_kind_exists(session: AsyncSession, organisation_id: UUID, key: str) -> bool:
    return bool(await session.scalar(select(exists().where(consent_kinds.c.organisation_id == organisation_id,
                                                           consent_kinds.c.key == key))))


async def consent_answers(session: AsyncSession, organisation_id: UUID, child_id: UUID) -> list[Record]:
    """Every kind the organisation asks about (key, kind, labels) with the child's answer (or None), by key."""
    query = (
        select(consent_kinds.c.key, consent_kinds.c.kind, consent_kinds.c.label_nl, consent_kinds.c.label_en,
               consents.c.granted, consents.c.changed_at)
        .outerjoin(consents, and_(consents.c.kind_key == consent_kinds.c.key, consents.c.child_id == child_id))
        .where(consent_kinds.c.organisation_id == organisation_id)
        .order_by(consent_kinds.c.key)
    )
    return [dict(row._mapping) for row in await session.execute(query)]
