"""Directory rules: when an upsert is a change, who may see a child, which label to show."""

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal


def next_version(current: Mapping[str, Any] | None, current_version: int, proposed: Mapping[str, Any]) -> int:
    """Same data again keeps the version (an ERP syncing nightly changes nothing); a change bumps it."""
    if current is None:
        return 1
    return current_version if dict(current) == dict(proposed) else current_version + 1


def valid_period(starts_on: date, ends_on: date | None) -> bool:
    return ends_on is None or ends_on >= starts_on


def is_active(starts_on: date, ends_on: date | None, today: date) -> bool:
    return starts_on <= today and (ends_on is None or ends_on >= today)


def not_ended(ends_on: date | None, today: date) -> bool:
    return ends_on is None or ends_on >= today


def staff_account_role(is_admin: bool) -> Literal["staff", "org_admin"]:
    return "org_admin" if is_admin else "staff"


def child_visible(
    role: str,
    *,
    caller_organisation_id: str | None,
    child_organisation_id: str,
    parent_of_family: bool,
    works_with_child: bool,
) -> bool:
    """Fine-grained right to one child; callers that fail it get a 404 so the child's existence stays hidden."""
    if role == "platform_operator":
        return True
    if role in ("org_admin", "erp"):
        return caller_organisation_id == child_organisation_id
    # Parents and staff are tied to the child by their own records; a forwarded tenant must agree with them.
    if caller_organisation_id not in (None, child_organisation_id):
        return False
    if role == "parent":
        return parent_of_family
    if role == "staff":
        return works_with_child
    return False


def pick_language(parent_language: str | None, accept_language: str | None) -> Literal["nl", "en"]:
    """A parent's own setting wins; others get the Accept-Language tag when it is English; Dutch by default."""
    if parent_language in ("nl", "en"):
        return parent_language  # type: ignore[return-value]
    first = (accept_language or "").split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "nl"


def label(label_nl: str, label_en: str, language: str) -> str:
    return label_en if language == "en" else label_nl


GROUP_READERS = frozenset({"staff", "org_admin"})


def group_readable(role: str, *, works_on_group: bool) -> bool:
    """A group's children are for its own staff and the organisation's admins (the group is already known to be
    of the caller's organisation); everyone else gets a 404, so a group's existence stays hidden."""
    if role == "org_admin":
        return True
    return role == "staff" and works_on_group
