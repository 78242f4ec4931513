"""Who the caller is in messaging, and who takes part in a conversation: decided from the directory read models.

Access is worked out on every call from the current directory (never stored per conversation), so a child
moving group, a parent losing access or staff leaving changes who may read and write from then on, while the
messages themselves stay as they were.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from konnect_kit.domain_errors import Forbidden
from konnect_kit.internal import Caller
from konnect_kit.roles import ORG_ADMIN, PARENT, STAFF
from konnect_kit.tenancy import bound_organisation, not_found
from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from messaging.db.models import (
    conversations,
    directory_children,
    directory_parents,
    directory_placements,
    directory_staff,
)
from messaging.domain.conversations import Placement, placement_current, staff_groups_of_child_conversation

ZONE = ZoneInfo("Europe/Amsterdam")


def today() -> date:
    """The day care's date (placements end on a local day)."""
    return datetime.now(ZONE).date()


@dataclass(frozen=True)
class Actor:
    """The caller as messaging knows them: a parent of one family, staff of some groups, or an admin."""

    role: str  # parent | staff | admin (the role shown on messages)
    account_id: UUID
    organisation_id: UUID
    name: str
    family_id: UUID | None = None
    staff_id: UUID | None = None
    group_ids: frozenset[UUID] = field(default_factory=frozenset)


async def actor_of(session: AsyncSession, who: Caller) -> Actor:
    """Parents, staff and admins write; machines and the operator have no conversations (403)."""
    if who.role not in (PARENT, STAFF, ORG_ADMIN):
        raise Forbidden("forbidden", "Messages are for parents, staff and organisation admins.")
    org = bound_organisation(who)
    assert org is not None  # only the platform operator is unbound, and it was refused above
    try:
        account = UUID(who.actor_id)
    except ValueError as exc:
        raise Forbidden("forbidden", "No account was forwarded.") from exc
    if who.role == PARENT:
        row = (await session.execute(select(directory_parents).where(
            directory_parents.c.account_id == account, directory_parents.c.organisation_id == org,
            ~directory_parents.c.deleted))).first()
        # A parent the directory does not (or no longer) know has no family: they see nothing.
        return Actor("parent", account, org, row.name if row else "", family_id=row.family_id if row else None)
    row = (await session.execute(select(directory_staff).where(
        directory_staff.c.account_id == account, directory_staff.c.organisation_id == org,
        ~directory_staff.c.deleted, directory_staff.c.active))).first()
    groups = frozenset(row.group_ids) if row else frozenset()
    name = row.name if row else ""
    if who.role == ORG_ADMIN:
        return Actor("admin", account, org, name or "Beheerder", staff_id=row.staff_id if row else None,
                     group_ids=groups)
    return Actor("staff", account, org, name, staff_id=row.staff_id if row else None, group_ids=groups)


@dataclass(frozen=True)
class About:
    """What a conversation is about: the facts participation is decided from."""

    organisation_id: UUID
    family_id: UUID
    child_id: UUID | None
    group_id: UUID | None

    @classmethod
    def of(cls, row: Any) -> "About":
        values = row if isinstance(row, dict) else row._mapping
        return cls(values["organisation_id"], values["family_id"], values["child_id"], values["group_id"])


def _current_placement(child: Any, group: Any, day: date) -> Any:
    p = directory_placements.c
    return exists().where(p.child_id == child, p.group_id == group, ~p.deleted,
                          or_(p.ends_on.is_(None), p.ends_on >= day))


def visible_clause(actor: Actor, day: date) -> ColumnElement[bool]:
    """The conversations the actor may read, as a WHERE condition (the list query filters, never checks after).

    The staff branch is `domain.staff_groups_of_child_conversation` in SQL: the conversation's group while the
    child is still placed there, the child's current groups once it has left; plus the child's mentor.
    """
    c = conversations.c
    in_org = c.organisation_id == actor.organisation_id
    if actor.role == "admin":
        return in_org
    if actor.role == "parent":
        return and_(in_org, c.family_id == actor.family_id) if actor.family_id else false()
    groups = list(actor.group_ids)
    p = directory_placements.c
    mentored = select(directory_children.c.child_id).where(
        directory_children.c.mentor_staff_id == actor.staff_id, ~directory_children.c.deleted)
    child_still_in_group = _current_placement(c.child_id, c.group_id, day)
    child_in_my_group = exists().where(p.child_id == c.child_id, p.group_id.in_(groups), ~p.deleted,
                                       or_(p.ends_on.is_(None), p.ends_on >= day))
    about_child = or_(
        c.child_id.in_(mentored) if actor.staff_id else false(),
        and_(c.group_id.in_(groups), child_still_in_group),
        and_(~child_still_in_group, child_in_my_group),
    )
    return and_(in_org, or_(and_(c.child_id.is_(None), c.group_id.in_(groups)),
                            and_(c.child_id.is_not(None), about_child)))


async def child_placements(session: AsyncSession, child_id: UUID, day: date) -> list[Placement]:
    p = directory_placements.c
    rows = (await session.execute(select(p.child_id, p.group_id, p.starts_on, p.ends_on).where(
        p.child_id == child_id, ~p.deleted))).all()
    return [pl for pl in (Placement(r.child_id, r.group_id, r.starts_on, r.ends_on) for r in rows)
            if placement_current(pl, day)]


async def staff_groups_of(session: AsyncSession, conversation: About, day: date) -> set[UUID]:
    """The groups whose staff take part in this conversation now."""
    if conversation.child_id is None:
        return {conversation.group_id} if conversation.group_id else set()
    child_groups = {pl.group_id for pl in await child_placements(session, conversation.child_id, day)}
    return staff_groups_of_child_conversation(conversation.group_id, child_groups)


async def mentor_account(session: AsyncSession, child_id: UUID | None) -> UUID | None:
    if child_id is None:
        return None
    s, ch = directory_staff.c, directory_children.c
    return await session.scalar(select(s.account_id).join(directory_children, ch.mentor_staff_id == s.staff_id)
                                .where(ch.child_id == child_id, ~ch.deleted, ~s.deleted, s.active))


async def may_read(session: AsyncSession, actor: Actor, conversation: About, day: date) -> bool:
    if conversation.organisation_id != actor.organisation_id:
        return False
    if actor.role == "admin":
        return True
    if actor.role == "parent":
        return actor.family_id is not None and conversation.family_id == actor.family_id
    if actor.group_ids & await staff_groups_of(session, conversation, day):
        return True
    return actor.account_id == await mentor_account(session, conversation.child_id)


async def readable_conversation(session: AsyncSession, actor: Actor, conversation_id: UUID, day: date,
                                *, lock: bool = False) -> Any:
    """The conversation if the actor takes part in it now; 404 otherwise (its existence stays hidden)."""
    query = select(conversations).where(conversations.c.conversation_id == conversation_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    if row is None or not await may_read(session, actor, About.of(row), day):
        raise not_found("conversation")
    return row


async def participant_accounts(session: AsyncSession, conversation: About, day: date) -> set[UUID]:
    """Every account that takes part now: the family's parents, the concerned groups' staff, the mentor."""
    parents = set((await session.scalars(select(directory_parents.c.account_id).where(
        directory_parents.c.family_id == conversation.family_id, ~directory_parents.c.deleted))).all())
    groups = list(await staff_groups_of(session, conversation, day))
    s = directory_staff.c
    staff = set((await session.scalars(select(s.account_id).where(
        s.organisation_id == conversation.organisation_id, s.group_ids.overlap(groups), s.account_id.is_not(None),
        ~s.deleted, s.active))).all()) if groups else set()
    mentor = await mentor_account(session, conversation.child_id)
    return parents | staff | ({mentor} if mentor else set())
