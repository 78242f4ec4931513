"""The one visibility builder: which children are placed where, by family and group, on a day.

Both My location (a family's audiences: organisation, location, group of each child's placement) and photos (who
may be tagged in a group's photo, which staff see a child) ask the same question of the directory read models:
the child's placements that have not ended, of a child and group that still exist. Every such query starts here,
so "placed" means the same everywhere. (Who sees a photo is domain.photo_visibility, and in SQL the parents'
feed statement, db/feed_read.py.)
"""

from datetime import date
from uuid import UUID

from sqlalchemy import Select, or_, select

from timeline.db.location import loc_children, loc_groups, loc_placements


def placements(today: date, *, started: bool = False, organisation_id: UUID | None = None,
               family_id: UUID | None = None, child_ids: list[UUID] | None = None,
               group_id: UUID | None = None) -> Select:
    """Rows (child_id, family_id, first_name, group_id, location_id, organisation_id, starts_on) of placements not
    ended by `today` (and begun by then when `started`), of children and groups not deleted."""
    where = [loc_placements.c.deleted.is_(False), loc_groups.c.deleted.is_(False), loc_children.c.deleted.is_(False),
             loc_children.c.family_id == loc_placements.c.family_id,
             or_(loc_placements.c.ends_on.is_(None), loc_placements.c.ends_on >= today)]
    if started:
        where.append(loc_placements.c.starts_on <= today)
    if organisation_id is not None:
        where.append(loc_placements.c.organisation_id == organisation_id)
    if family_id is not None:
        where.append(loc_placements.c.family_id == family_id)
    if child_ids is not None:
        where.append(loc_placements.c.child_id.in_(child_ids))
    if group_id is not None:
        where.append(loc_placements.c.group_id == group_id)
    return (select(loc_placements.c.child_id, loc_placements.c.family_id, loc_children.c.first_name,
                   loc_placements.c.group_id, loc_groups.c.location_id, loc_placements.c.organisation_id,
                   loc_placements.c.starts_on)
            .join(loc_groups, loc_groups.c.group_id == loc_placements.c.group_id)
            .join(loc_children, loc_children.c.child_id == loc_placements.c.child_id)
            .where(*where))
