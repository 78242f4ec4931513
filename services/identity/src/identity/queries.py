"""Read-side queries shared by routes (/children, /me): JSON-ready dicts with str ids and ISO dates."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

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


async def placements_by_child(session: AsyncSession, child_ids: Sequence[UUID], today: date) -> dict[UUID, list]:
    """Current and future placements (ended ones are history) with their group and location."""
    if not child_ids:
        return {}
    query = (
        select(placements.c.placement_id, placements.c.child_id, placements.c.care_type, placements.c.starts_on,
               placements.c.ends_on, groups.c.group_id, groups.c.name.label("group_name"), locations.c.location_id,
               locations.c.name.label("location_name"))
        .join(groups, groups.c.group_id == placements.c.group_id)
        .join(locations, locations.c.location_id == groups.c.location_id)
        .where(placements.c.child_id.in_(child_ids))
        .order_by(placements.c.starts_on, placements.c.placement_id)
    )
    result: dict[UUID, list] = defaultdict(list)
    for row in (await session.execute(query)).all():
        if not_ended(row.ends_on, today):
            result[row.child_id].append({
                "placement_id": str(row.placement_id),
                "group": {"group_id": str(row.group_id), "name": row.group_name},
                "location": {"location_id": str(row.location_id), "name": row.location_name},
                "care_type": row.care_type,
                "starts_on": row.starts_on.isoformat(),
                "ends_on": row.ends_on.isoformat() if row.ends_on else None,
            })
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
    return [
        {
            "child_id": str(row.child_id),
            "first_name": row.first_name,
            "last_name": row.last_name,
            "birth_date": row.birth_date.isoformat(),
            "mentor": ({"staff_id": str(row.mentor_staff_id), "name": row.mentor_name}
                       if row.mentor_staff_id else None),
            "placements": by_child.get(row.child_id, []),
        }
        for row in rows
    ]


async def child_row(session: AsyncSession, child_id: UUID) -> Row | None:
    return (await session.execute(_child_rows_query().where(children.c.child_id == child_id))).first()


async def family_overview(session: AsyncSession, parent_id: UUID) -> dict | None:
    """The parent's family and its children (mentor, current and future placements); None for a non-parent."""
    # One round trip for the family and its organisation's time zone: /me is the app's most frequent call.
    family = (
        await session.execute(
            select(families.c.family_id, families.c.name, organisations.c.time_zone)
            .join(parents, parents.c.family_id == families.c.family_id)
            .join(organisations, organisations.c.organisation_id == families.c.organisation_id, isouter=True)
            .where(parents.c.parent_id == parent_id)
        )
    ).first()
    if family is None:
        return None
    rows = (await session.execute(_child_rows_query().where(children.c.family_id == family.family_id))).all()
    today = today_in(family.time_zone)
    return {
        "family": {"family_id": str(family.family_id), "name": family.name},
        "children": await child_summaries(session, rows, today),
    }
