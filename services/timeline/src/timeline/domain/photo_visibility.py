"""Who sees a photo: the families of its tagged children, and only while every other tagged child's family consents."""

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Tag:
    child_id: UUID
    family_id: UUID
    consent: bool
    """The child's family consents to sharing photos with other parents."""


def family_sees(family_id: UUID, tags: Iterable[Tag]) -> bool:
    """A family sees a photo of one of its own children, unless it would show another family's child whose
    family has not consented (a photo of siblings only needs no consent: no other family sees it)."""
    tags = list(tags)
    return any(t.family_id == family_id for t in tags) and all(
        t.family_id == family_id or t.consent for t in tags)


def families_shown_to(tags: Iterable[Tag]) -> set[UUID]:
    tags = list(tags)
    return {t.family_id for t in tags if family_sees(t.family_id, tags)}


def withheld_children(tags: Iterable[Tag]) -> list[UUID]:
    """Tagged children whose family will not see the photo (because another tagged child lacks consent)."""
    tags = list(tags)
    shown = families_shown_to(tags)
    return [t.child_id for t in tags if t.family_id not in shown]


def children_without_consent(tags: Iterable[Tag]) -> list[UUID]:
    """Children without consent in a photo that also shows another family's child: it is restricted for them."""
    tags = list(tags)
    families = {t.family_id for t in tags}
    return [t.child_id for t in tags if not t.consent and len(families) > 1]
