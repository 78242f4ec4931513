"""Who is looking at My location: the caller's organisation, family and placements, or staff groups."""

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden, NotFound
from konnect_kit.internal import Caller
from konnect_kit.tenancy import bound_organisation

from timeline.db import directory_queries as queries
from timeline.domain.location_audience import Placed, audiences_of

READERS_OF_ORGANISATION = frozenset({"org_admin", "erp", "staff", "platform_operator"})


@dataclass(frozen=True)
class Viewer:
    """A parent (family + placements), staff (groups) or a manager; `organisation_id` None only for the operator."""

    role: str
    organisation_id: UUID | None
    actor_id: str
    family_id: UUID | None = None
    placements: tuple[Placed, ...] = ()
    staff_id: UUID | None = None
    staff_group_ids: frozenset[UUID] = field(default_factory=frozenset)

    @property
    def audiences(self) -> set[tuple[str, UUID]]:
        return audiences_of(self.placements)

    @property
    def is_parent(self) -> bool:
        return self.role == "parent"

    def covers(self, organisation_id: UUID) -> bool:
        return self.organisation_id is None or self.organisation_id == organisation_id


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


async def family_placements(session: Session, organisation_id: UUID, family_id: UUID,
                            today: date) -> tuple[Placed, ...]:
    """The groups (with location) the family's children are placed in now or will be: ended placements drop out."""
    rows = await queries.family_placements(session, organisation_id, family_id, today)
    return tuple(sorted({Placed(organisation_id, row.location_id, row.group_id) for row in rows},
                        key=lambda p: (str(p.location_id), str(p.group_id))))


async def viewer_for(session: Session, who: Caller, today: date) -> Viewer:
    """The caller as a viewer of My location; a parent without a known family sees nothing (empty placements)."""
    organisation = bound_organisation(who)
    if who.role == "parent":
        account = _uuid(who.actor_id)
        family_id = None
        if account is not None and organisation is not None:
            family_id = await queries.family_of_parent(session, account, organisation)
        placements = await family_placements(session, organisation, family_id, today) \
            if family_id is not None and organisation is not None else ()
        return Viewer("parent", organisation, who.actor_id, family_id=family_id, placements=placements)
    if who.role == "staff":
        account = _uuid(who.actor_id)
        staff = None
        if account is not None:
            staff = await queries.active_staff(session, account, organisation)
        return Viewer("staff", organisation, who.actor_id, staff_id=staff.staff_id if staff else None,
                      staff_group_ids=frozenset(staff.group_ids) if staff else frozenset())
    if who.role in READERS_OF_ORGANISATION:
        return Viewer(who.role, organisation, who.actor_id)
    raise Forbidden("forbidden", "Your role has no My location.")


async def child_for(session: Session, viewer: Viewer, child_id: UUID) -> tuple[UUID, UUID]:
    """(organisation_id, family_id) of a child the viewer may see; 404 for another family's or organisation's."""
    row = await queries.child(session, child_id)
    if row is None or not viewer.covers(row.organisation_id):
        raise NotFound("not_found", "No such child.")
    if viewer.is_parent and viewer.family_id != row.family_id:
        raise NotFound("not_found", "No such child.")
    return row.organisation_id, row.family_id
