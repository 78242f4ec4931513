"""A person's notification settings: per item kind, e-mail and push on or off (both on unless changed)."""

from collections.abc import Iterable
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden, Invalid
from konnect_kit.internal import Caller

from notifications.db.preferences import preferences_of, save_preference
from notifications.domain.preferences import ITEM_KINDS


def account_of(who: Caller) -> UUID:
    if who.role not in ("parent", "staff", "org_admin"):
        raise Forbidden("forbidden", "Notification settings belong to a person's login.")
    return UUID(who.actor_id)


async def settings(session: Session, account_id: UUID) -> list[tuple[str, bool, bool]]:
    """(kind, email, push) for every item kind, in the catalogue's order."""
    chosen = await preferences_of(session, account_id)
    return [(kind, *chosen.get(kind, (True, True))) for kind in ITEM_KINDS]


async def change(session: Session, account_id: UUID, items: Iterable[tuple[str, bool, bool]]) -> None:
    items = list(items)
    if len({kind for kind, _, _ in items}) != len(items):
        raise Invalid("duplicate_kind", "Each kind may appear once.")
    for kind, email, push in items:
        await save_preference(session, account_id, kind, email=email, push=push)
