"""Contact data of the family's locations and "our team": staff of the groups the family's children are in."""

from uuid import UUID

from konnect_kit.db import Session

from timeline.db import Row
from timeline.db import directory_queries as queries
from timeline.service_layer.location_access import Viewer


async def _location_ids(session: Session, viewer: Viewer) -> list[UUID] | None:
    """A parent's locations; None for staff and admins (all of their organisation's)."""
    if viewer.is_parent:
        return sorted({p.location_id for p in viewer.placements}, key=str)
    return None


async def locations(session: Session, viewer: Viewer) -> list[Row]:
    return await queries.locations(session, viewer.organisation_id, await _location_ids(session, viewer))


async def team(session: Session, viewer: Viewer) -> tuple[list[Row], dict[UUID, Row]]:
    """Active staff of the viewer's groups (a parent: the groups their children are placed in), with the groups."""
    wanted = [p.group_id for p in viewer.placements] if viewer.is_parent else None
    groups = await queries.groups(session, viewer.organisation_id, wanted)
    if not groups:
        return [], {}
    return await queries.active_staff_of_groups(session, list(groups)), groups
