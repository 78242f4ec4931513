"""Who may see a published item: its audience (organisation, location or group) against a family's placements."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

AudienceKind = Literal["organisation", "location", "group"]
ITEM_KINDS = ("news", "newsletter", "info_page")
MANAGERS = frozenset({"org_admin", "platform_operator"})


@dataclass(frozen=True)
class Placed:
    """Where one child of a family is placed: the group, its location and organisation."""

    organisation_id: UUID
    location_id: UUID
    group_id: UUID


def audiences_of(placements: Iterable[Placed]) -> set[tuple[str, UUID]]:
    """Every audience a family belongs to: each child's organisation, location and group."""
    found: set[tuple[str, UUID]] = set()
    for placed in placements:
        found |= {("organisation", placed.organisation_id), ("location", placed.location_id),
                  ("group", placed.group_id)}
    return found


def family_sees(audience: str, audience_id: UUID, placements: Iterable[Placed]) -> bool:
    """A family sees an item addressed to any organisation, location or group one of its children is placed in."""
    return (audience, audience_id) in audiences_of(placements)


def staff_may_address(role: str, audience: str, audience_id: UUID, staff_group_ids: Iterable[UUID]) -> bool:
    """Admins address their whole organisation; staff only the groups they work in."""
    if role in MANAGERS:
        return True
    return role == "staff" and audience == "group" and audience_id in set(staff_group_ids)
