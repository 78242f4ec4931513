"""Test seeding shared by planning's property tests: an organisation's calendar, location, groups and day parts."""

from typing import Any
from uuid import UUID

from planning.db.calendar import (
    closing_days,
    day_parts,
    directory_groups,
    directory_locations,
    organisation_settings,
)
from planning.db.models import directory_organisations
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession


async def store_organisation(s: AsyncSession, *, org: UUID, calendar: Any, location: UUID, groups: list[UUID],
                             parts: list[Any]) -> None:
    """The organisation with its opening days and closing days, one location, its groups and its day parts."""
    await s.execute(insert(directory_organisations), [{"organisation_id": org, "name": "O",
                                                       "time_zone": "Europe/Amsterdam", "version": 1}])
    await s.execute(insert(organisation_settings), [{
        "organisation_id": org, "open_weekdays": sorted(calendar.open_weekdays), "cancel_window_hours": 24,
        "staff_may_evaluate": True, "version": 1}])
    if calendar.closing_days:
        await s.execute(insert(closing_days), [{"organisation_id": org, "date": d, "reason": r, "version": 1}
                                               for d, r in calendar.closing_days.items()])
    await s.execute(insert(directory_locations), [{"location_id": location, "name": "L", "organisation_id": org,
                                                   "version": 1}])
    await s.execute(insert(directory_groups), [{"group_id": g, "location_id": location, "name": f"G{i}",
                                                "organisation_id": org, "version": 1} for i, g in enumerate(groups)])
    await s.execute(insert(day_parts), [{
        "day_part_id": p.day_part_id, "organisation_id": org, "care_type": p.care_type, "name": p.name,
        "starts_at": p.starts_at, "ends_at": p.ends_at, "price_per_hour": p.price_per_hour, "version": 1}
        for p in parts])
