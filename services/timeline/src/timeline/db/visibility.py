"""The one visibility builder: which children are placed where, by family and group, on a day.

Both My location (a family's audiences: organisation, location, group of each child's placement) and photos (who
may be tagged in a group's photo, which staff see a child) ask the same question of the directory read models:
the child's placements that have not ended, of a child and group that still exist. Every such query starts here,
so "placed" means the same everywhere.
"""

from datetime import date
from uuid import UUID

from sqlalchemy import Select, and_, exists, or_, select

from timeline.db.location import loc_children, loc_groups, loc_placements
from timeline.db.photos import photo_consents, photo_tags, photos, timeline_media


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


def photo_visible_to_family(family_id: UUID):
    """The rule of domain.photo_visibility.family_sees in SQL, for paging (`photo_tags` rows of the family's
    children): the photo is processed, and no other family's tagged child lacks photo-sharing consent."""
    other = photo_tags.alias("other")
    ready = exists().where(photos.c.photo_id == photo_tags.c.photo_id, timeline_media.c.media_id == photos.c.media_id,
                           timeline_media.c.processing == "ready")
    return and_(photo_tags.c.family_id == family_id, ready, ~exists().where(
        other.c.photo_id == photo_tags.c.photo_id, other.c.family_id != family_id,
        ~exists().where(photo_consents.c.child_id == other.c.child_id, photo_consents.c.granted.is_(True))))
