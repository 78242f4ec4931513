"""Who takes part in a conversation and what a message may hold: pure rules, decided from directory facts."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from konnect_kit.domain_errors import Invalid
from konnect_kit.roles import ORG_ADMIN, PARENT, STAFF

MAX_TEXT = 5000
MAX_SUBJECT = 200
PREVIEW_LENGTH = 120
# Unicode White_Space, the `\s` of the API's documented pattern: what is trimmed off a text and its subject.
WHITE_SPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
               + "\u2028\u2029\u202f\u205f\u3000")


def clean_text(text: str, *, limit: int = MAX_TEXT, field: str = "text") -> str:
    """The text as stored: surrounding whitespace dropped; empty or longer than `limit` is refused."""
    cleaned = text.strip(WHITE_SPACE)
    if not cleaned:
        raise Invalid("empty_text", f"The {field} is empty.", {"field": field})
    if len(cleaned) > limit:
        raise Invalid("text_too_long", f"The {field} is longer than {limit} characters.",
                      {"field": field, "limit": limit, "length": len(cleaned)})
    return cleaned


def preview(text: str) -> str:
    """Start of a message for the conversation list and notifications: one line, at most PREVIEW_LENGTH."""
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_LENGTH else flat[: PREVIEW_LENGTH - 1].rstrip() + "…"


def sender_role(caller_role: str) -> str:
    """The role shown with a message (the contract's parent/staff/admin)."""
    return {PARENT: "parent", STAFF: "staff", ORG_ADMIN: "admin"}[caller_role]


@dataclass(frozen=True)
class Placement:
    child_id: UUID
    group_id: UUID
    starts_on: date
    ends_on: date | None


def placement_current(placement: Placement, today: date) -> bool:
    """A placement that has not ended counts (a future one too: parents write to the group before day one)."""
    return placement.ends_on is None or placement.ends_on >= today


def staff_groups_of_child_conversation(conversation_group: UUID | None, child_groups: set[UUID]) -> set[UUID]:
    """The groups whose staff take part in a conversation about a child.

    The group chosen for the conversation while the child is still placed there; once the child has left that
    group (moved), the staff of the child's current group(s) take over from then on, the old group's lose it.
    """
    if conversation_group is not None and conversation_group in child_groups:
        return {conversation_group}
    return set(child_groups)


def choose_group(requested: UUID | None, child_groups: set[UUID]) -> UUID:
    """The group a parent's conversation about a child goes to: the requested one if the child is in it, the only
    one when the child has one placement; several placements need a choice."""
    if requested is not None:
        if requested not in child_groups:
            raise Invalid("group_not_of_child", "The child is not placed in that group.",
                          {"group_id": str(requested)})
        return requested
    if len(child_groups) == 1:
        return next(iter(child_groups))
    if not child_groups:
        raise Invalid("child_not_placed", "The child has no current placement; there is no group to write to.")
    raise Invalid("group_required", "The child is placed in several groups: choose one (group_id).",
                  {"group_ids": sorted(str(g) for g in child_groups)})
