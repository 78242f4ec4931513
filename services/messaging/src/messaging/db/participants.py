"""Participation queries on the directory read models: who the caller is, who takes part in a conversation, and
which conversations an actor may read (as one WHERE condition, so the list filters instead of checking after)."""

from datetime import date
from typing import Any
from uuid import UUID

from konnect_kit.db import Session
from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select

from messaging.db.directory_records import live_record
from messaging.db.models import (
    conversation_reads,
    conversations,
    directory_children,
    directory_parents,
    directory_placements,
    directory_staff,
    messages,
)
from messaging.domain.conversations import Placement, placement_current
from messaging.domain.participants import Actor


async def parent_of_account(session: Session, account_id: UUID, organisation_id: UUID) -> Any:
    """The directory's parent record of this login in this organisation (None: unknown or removed)."""
    return await live_record(session, directory_parents, organisation_id,
                             directory_parents.c.account_id == account_id)


async def staff_of_account(session: Session, account_id: UUID, organisation_id: UUID) -> Any:
    """The active staff record of this login in this organisation (None: unknown, removed or inactive)."""
    s = directory_staff.c
    return await live_record(session, directory_staff, organisation_id, s.account_id == account_id, s.active)


def _current_placement(child: Any, group: Any, day: date) -> Any:
    p = directory_placements.c
    return exists().where(p.child_id == child, p.group_id == group, ~p.deleted,
                          or_(p.ends_on.is_(None), p.ends_on >= day))


def visible_clause(actor: Actor, day: date) -> ColumnElement[bool]:
    """The conversations the actor may read, as a WHERE condition.

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


async def current_placements(session: Session, child_id: UUID, day: date) -> list[Placement]:
    p = directory_placements.c
    rows = (await session.execute(select(p.child_id, p.group_id, p.starts_on, p.ends_on).where(
        p.child_id == child_id, ~p.deleted))).all()
    return [pl for pl in (Placement(r.child_id, r.group_id, r.starts_on, r.ends_on) for r in rows)
            if placement_current(pl, day)]


async def mentor_account(session: Session, child_id: UUID) -> UUID | None:
    s, ch = directory_staff.c, directory_children.c
    return await session.scalar(select(s.account_id).join(directory_children, ch.mentor_staff_id == s.staff_id)
                                .where(ch.child_id == child_id, ~ch.deleted, ~s.deleted, s.active))


async def conversation(session: Session, conversation_id: UUID, *, lock: bool = False,
                       reader: UUID | None = None) -> Any:
    """The conversation row; with `reader`, also `read_seq`: how far that account has read it (0: nothing), in the
    same round trip (opening a conversation is a hot read path)."""
    query = select(conversations).where(conversations.c.conversation_id == conversation_id)
    if reader is not None:
        r = conversation_reads.c
        read = select(r.last_read_seq).where(r.conversation_id == conversations.c.conversation_id,
                                             r.account_id == reader).scalar_subquery()
        query = query.add_columns(func.coalesce(read, 0).label("read_seq"))
    return (await session.execute(query.with_for_update() if lock else query)).first()


async def parent_accounts(session: Session, family_id: UUID) -> set[UUID]:
    p = directory_parents.c
    return set((await session.scalars(select(p.account_id).where(p.family_id == family_id, ~p.deleted))).all())


async def staff_accounts(session: Session, organisation_id: UUID, group_ids: set[UUID]) -> set[UUID]:
    """Logins of the active staff of these groups."""
    if not group_ids:
        return set()
    s = directory_staff.c
    return set((await session.scalars(select(s.account_id).where(
        s.organisation_id == organisation_id, s.group_ids.overlap(list(group_ids)), s.account_id.is_not(None),
        ~s.deleted, s.active))).all())


async def admin_writers(session: Session, conversation_id: UUID) -> set[UUID]:
    """Admins who wrote in this conversation and whose staff login is still active: they took part, so the
    replies are theirs to hear about (an admin who only can read the organisation's conversations is not)."""
    m, s = messages.c, directory_staff.c
    return set((await session.scalars(select(m.sender_account_id).distinct().where(
        m.conversation_id == conversation_id, m.sender_role == "admin",
        exists().where(s.account_id == m.sender_account_id, s.organisation_id == m.organisation_id, ~s.deleted,
                      s.active)))).all())
