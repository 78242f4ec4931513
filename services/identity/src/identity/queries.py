"""Read-side queries shared by routes (/children, /me): JSON-ready dicts with str ids and ISO dates."""

from collections import defaultdict
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


def _placement_entry(row: Row, prefix: str = "") -> dict[str, Any]:
    """A placement from a row of `_placement_query()`, its columns named with `prefix` when joined into another."""
    def column(name: str) -> Any:
        return getattr(row, prefix + name)

    ends_on = column("ends_on")
    return {
        "placement_id": str(column("placement_id")),
        "group": {"group_id": str(column("group_id")), "name": column("group_name")},
        "location": {"location_id": str(column("location_id")), "name": column("location_name")},
        "care_type": column("care_type"),
        "starts_on": column("starts_on").isoformat(),
        "ends_on": ends_on.isoformat() if ends_on else None,
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


async def placements_by_child(session: AsyncSession, child_ids: Sequence[UUID], today: date) -> dict[UUID, list]:
    """Current and future placements (ended ones are history) with their group and location."""
    if not child_ids:
        return {}
    query = (_placement_query().where(placements.c.child_id.in_(child_ids))
             .order_by(placements.c.starts_on, placements.c.placement_id))
    result: dict[UUID, list] = defaultdict(list)
    for row in (await session.execute(query)).all():
        if not_ended(row.ends_on, today):
            result[row.child_id].append(_placement_entry(row))
    return result


def _child_rows_query() -> Any:
    return (
        select(children, staff.c.name.label("mentor_name"))
        .outerjoin(staff, staff.c.staff_id == children.c.mentor_staff_id)
        .order_by(children.c.birth_date, children.c.first_name, children.c.child_id)
    )


async def child_summaries(session: AsyncSession, rows: Sequence[Row], today: date) -> list[dict[str, Any]]:
    """Rows of `_child_rows_query()` → the child entries of the family overview and the child page."""
    by_child = await placements_by_child(session, [row.child_id for row in rows], today)
    return [_child_entry(row, by_child.get(row.child_id, [])) for row in rows]


async def child_row(session: AsyncSession, child_id: UUID) -> Row | None:
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
_FAMILY_CHILDREN = (
    select(children, staff.c.name.label("mentor_name"), *[c.label(f"p_{c.name}") for c in _placed.c])
    .outerjoin(staff, staff.c.staff_id == children.c.mentor_staff_id)
    .outerjoin(_placed, _placed.c.child_id == children.c.child_id)
    .where(children.c.family_id == bindparam("family_id"))
    .order_by(children.c.birth_date, children.c.first_name, children.c.child_id, _placed.c.starts_on,
              _placed.c.placement_id)
)


async def live_account(session: AsyncSession, session_id: UUID, account_id: UUID) -> Row | None:
    """The account of a session that has not ended, with its organisation and (for a parent) family.

    One round trip for what `/me` needs first: it is the app's most frequent call.
    """
    return (await session.execute(_LIVE_ACCOUNT, {"session_id": session_id, "account_id": account_id})).first()


async def family_children(session: AsyncSession, family_id: UUID, today: date) -> list[dict[str, Any]]:
    """The family's children (mentor, current and future placements), in one round trip."""
    entries: dict[UUID, dict[str, Any]] = {}
    for row in (await session.execute(_FAMILY_CHILDREN, {"family_id": family_id})).all():
        entry = entries.get(row.child_id)
        if entry is None:
            entry = entries[row.child_id] = _child_entry(row, [])
        if row.p_placement_id is not None and not_ended(row.p_ends_on, today):
            entry["placements"].append(_placement_entry(row, "p_"))
    return list(entries.values())
