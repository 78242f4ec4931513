"""Read-side queries shared by routes (/children, /me): JSON-ready dicts with str ids and ISO dates."""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import Row, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.accounts import accounts, sessions
from identity.db.directory import children, families, groups, locations, parents, placements, staff
from identity.db.models import organisations
from identity.domain.directory import not_ended

# Read-only records read by attribute: a child with its mentor's name (`mentor_name`), and a live session's
# account with its organisation (`organisation_name`, `time_zone`) and family (`family_id`, `family_name`).
ChildRow = Row
LiveAccount = Row


def today_in(zone: str | None) -> date:
    """'Today' where the organisation is: a placement ending today is still current in Amsterdam at 01:00 UTC."""
    return datetime.now(ZoneInfo(zone or "Europe/Amsterdam")).date()


async def organisation_today(session: AsyncSession, organisation_id: UUID) -> date:
    zone = await session.scalar(
        select(organisations.c.time_zone).where(organisations.c.organisation_id == organisation_id)
    )
    return today_in(zone)


def _placement_query() -> Any:
    return (
        select(placements.c.placement_id, placements.c.child_id, placements.c.care_type, placements.c.starts_on,
               placements.c.ends_on, groups.c.group_id, groups.c.name.label("group_name"), locations.c.location_id,
               locations.c.name.label("location_name"))
        .join(groups, groups.c.group_id == placements.c.group_id)
        .join(locations, locations.c.location_id == groups.c.location_id)
    )


def _placement_entry(row: Row) -> dict[str, Any]:
    """The placement in a row of `_children_with_placements` (its `p_` columns)."""
    return {
        "placement_id": str(row.p_placement_id),
        "group": {"group_id": str(row.p_group_id), "name": row.p_group_name},
        "location": {"location_id": str(row.p_location_id), "name": row.p_location_name},
        "care_type": row.p_care_type,
        "starts_on": row.p_starts_on.isoformat(),
        "ends_on": row.p_ends_on.isoformat() if row.p_ends_on else None,
    }


def _child_entry(row: Row, child_placements: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "child_id": str(row.child_id),
        "first_name": row.first_name,
        "last_name": row.last_name,
        "birth_date": row.birth_date.isoformat(),
        "mentor": ({"staff_id": str(row.mentor_staff_id), "name": row.mentor_name}
                   if row.mentor_staff_id else None),
        "placements": child_placements,
    }


def _child_rows_query() -> Any:
    return (
        select(children, staff.c.name.label("mentor_name"))
        .outerjoin(staff, staff.c.staff_id == children.c.mentor_staff_id)
        .order_by(children.c.birth_date, children.c.first_name, children.c.child_id)
    )


async def child_summaries(session: AsyncSession, rows: Sequence[Row], today: date) -> list[dict[str, Any]]:
    """Rows of `_child_rows_query()` → their child entries (the child page), built like the family overview."""
    if not rows:
        return []
    found = await session.execute(_SOME_CHILDREN, {"child_ids": [row.child_id for row in rows]})
    return _child_entries(found.all(), today)


async def child_row(session: AsyncSession, child_id: UUID) -> ChildRow | None:
    return (await session.execute(_child_rows_query().where(children.c.child_id == child_id))).first()


# Built once: constructing a statement (joins, a subquery's columns) costs more than running it.
_LIVE_ACCOUNT = (
    select(accounts, organisations.c.name.label("organisation_name"), organisations.c.time_zone,
           families.c.family_id, families.c.name.label("family_name"))
    .select_from(sessions)
    .join(accounts, accounts.c.account_id == sessions.c.account_id)
    .outerjoin(organisations, organisations.c.organisation_id == accounts.c.organisation_id)
    .outerjoin(parents, parents.c.parent_id == accounts.c.account_id)
    .outerjoin(families, families.c.family_id == parents.c.family_id)
    .where(sessions.c.session_id == bindparam("session_id"), sessions.c.account_id == bindparam("account_id"),
           sessions.c.revoked_at.is_(None))
)

_placed = _placement_query().subquery()


def _children_with_placements(*where: Any) -> Any:
    """Children with mentor and every placement (`p_` columns, none for a child without one): one round trip."""
    return (
        select(children, staff.c.name.label("mentor_name"), *[c.label(f"p_{c.name}") for c in _placed.c])
        .outerjoin(staff, staff.c.staff_id == children.c.mentor_staff_id)
        .outerjoin(_placed, _placed.c.child_id == children.c.child_id)
        .where(*where)
        .order_by(children.c.birth_date, children.c.first_name, children.c.child_id, _placed.c.starts_on,
                  _placed.c.placement_id)
    )


_FAMILY_CHILDREN = _children_with_placements(children.c.family_id == bindparam("family_id"))
_SOME_CHILDREN = _children_with_placements(children.c.child_id.in_(bindparam("child_ids", expanding=True)))


def _child_entries(rows: Sequence[Row], today: date) -> list[dict[str, Any]]:
    """Rows of `_children_with_placements` → one entry per child, current and future placements only."""
    entries: dict[UUID, dict[str, Any]] = {}
    for row in rows:
        entry = entries.get(row.child_id)
        if entry is None:
            entry = entries[row.child_id] = _child_entry(row, [])
        if row.p_placement_id is not None and not_ended(row.p_ends_on, today):
            entry["placements"].append(_placement_entry(row))
    return list(entries.values())


async def live_account(session: AsyncSession, session_id: UUID, account_id: UUID) -> LiveAccount | None:
    """The account of a session that has not ended, with its organisation and (for a parent) family.

    One round trip for what `/me` needs first: it is the app's most frequent call.
    """
    return (await session.execute(_LIVE_ACCOUNT, {"session_id": session_id, "account_id": account_id})).first()


async def family_children(session: AsyncSession, family_id: UUID, today: date) -> list[dict[str, Any]]:
    """The family's children (mentor, current and future placements), in one round trip."""
    return _child_entries((await session.execute(_FAMILY_CHILDREN, {"family_id": family_id})).all(), today)
