"""Who the caller is in messaging, and who takes part in a conversation: decided from the directory read models.

Access is worked out on every call from the current directory (never stored per conversation), so a child
moving group, a parent losing access or staff leaving changes who may read and write from then on, while the
messages themselves stay as they were.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden
from konnect_kit.internal import Caller
from konnect_kit.roles import ORG_ADMIN, PARENT, STAFF
from konnect_kit.tenancy import bound_organisation, not_found

from messaging.db import participants as db
from messaging.domain.conversations import Placement, sender_role, staff_groups_of_child_conversation
from messaging.domain.participants import About, Actor, Person

ZONE = ZoneInfo("Europe/Amsterdam")


def today() -> date:
    """The day care's date (placements end on a local day)."""
    return datetime.now(ZONE).date()


def person_of(who: Caller) -> Person:
    """Parents, staff and admins write; machines and the operator have no conversations (403)."""
    if who.role not in (PARENT, STAFF, ORG_ADMIN):
        raise Forbidden("forbidden", "Messages are for parents, staff and organisation admins.")
    org = bound_organisation(who)
    assert org is not None  # only the platform operator is unbound, and it was refused above
    try:
        account = UUID(who.actor_id)
    except ValueError as exc:
        raise Forbidden("forbidden", "No account was forwarded.") from exc
    return Person(sender_role(who.role), account, org)


async def actor_of(session: Session, who: Caller) -> Actor:
    """The caller with their directory record (family; staff groups), for the use cases that write."""
    person = person_of(who)
    account, org = person.account_id, person.organisation_id
    if who.role == PARENT:
        row = await db.parent_of_account(session, account, org)
        # A parent the directory does not (or no longer) know has no family: they see nothing.
        return Actor("parent", account, org, row.name if row else "", family_id=row.family_id if row else None)
    row = await db.staff_of_account(session, account, org)
    groups = frozenset(row.group_ids) if row else frozenset()
    name = row.name if row else ""
    if who.role == ORG_ADMIN:
        return Actor("admin", account, org, name or "Beheerder", staff_id=row.staff_id if row else None,
                     group_ids=groups)
    return Actor("staff", account, org, name, staff_id=row.staff_id if row else None, group_ids=groups)


async def child_placements(session: Session, child_id: UUID, day: date) -> list[Placement]:
    return await db.current_placements(session, child_id, day)


async def staff_groups_of(session: Session, conversation: About, day: date) -> set[UUID]:
    """The groups whose staff take part in this conversation now."""
    if conversation.child_id is None:
        return {conversation.group_id} if conversation.group_id else set()
    child_groups = {pl.group_id for pl in await child_placements(session, conversation.child_id, day)}
    return staff_groups_of_child_conversation(conversation.group_id, child_groups)


async def mentor_account(session: Session, child_id: UUID | None) -> UUID | None:
    return None if child_id is None else await db.mentor_account(session, child_id)


async def may_read(session: Session, actor: Actor, conversation: About, day: date) -> bool:
    if conversation.organisation_id != actor.organisation_id:
        return False
    if actor.role == "admin":
        return True  # admins read every conversation of their organisation
    if actor.role == "parent":
        return actor.family_id is not None and conversation.family_id == actor.family_id
    if actor.group_ids & await staff_groups_of(session, conversation, day):
        return True
    return actor.account_id == await mentor_account(session, conversation.child_id)


async def readable_conversation(session: Session, actor: Actor, conversation_id: UUID, day: date,
                                *, lock: bool = False) -> Any:
    """The conversation if the actor takes part in it now; 404 otherwise (its existence stays hidden)."""
    row = await db.conversation(session, conversation_id, lock=lock)
    if row is None or not await may_read(session, actor, About.of(row), day):
        raise not_found("conversation")
    return row


async def participant_accounts(session: Session, conversation: About, day: date) -> set[UUID]:
    """Every account that takes part now: the family's parents, the concerned groups' staff, the mentor, and the
    admins who wrote in it (an admin who started it or a group message answers for the staff side)."""
    parents = await db.parent_accounts(session, conversation.family_id)
    staff = await db.staff_accounts(session, conversation.organisation_id,
                                    await staff_groups_of(session, conversation, day))
    mentor = await mentor_account(session, conversation.child_id)
    admins = await db.admin_writers(session, conversation.conversation_id)
    return parents | staff | admins | ({mentor} if mentor else set())
