"""Participation queries on the directory read models: who the caller is, who takes part in a conversation, and
which conversations an actor may read (as one WHERE condition, so the list filters instead of checking after)."""

from datetime import date
from typing import Any
from uuid import UUID

from konnect_kit.db import Session, opaque
from sqlalchemy import ARRAY, ColumnElement, Date, Uuid, and_, bindparam, cast, exists, func, or_, select

from messaging.db.models import (
    conversations,
    directory_children,
    directory_parents,
    directory_placements,
    directory_staff,
    messages,
)
from messaging.domain.conversations import Placement, placement_current

# The caller's own directory record, by the bound `account_id` and `organisation_id`: looked up on its own by the
# write paths (`actor_of`) and inside the read statements (conversation list, one conversation) as a subquery.
_p, _s = directory_parents.c, directory_staff.c
_PARENT_RECORD = select(directory_parents).where(
    _p.account_id == bindparam("account_id"), _p.organisation_id == bindparam("organisation_id"), ~_p.deleted)
_STAFF_RECORD = select(directory_staff).where(
    _s.account_id == bindparam("account_id"), _s.organisation_id == bindparam("organisation_id"), _s.active,
    ~_s.deleted).limit(1)
# As a common table expression: one staff record per statement, whichever subqueries refer to it.
_ME = _STAFF_RECORD.with_only_columns(_s.staff_id, _s.group_ids).cte("me")


async def parent_of_account(session: Session, account_id: UUID, organisation_id: UUID) -> Any:
    """The directory's parent record of this login in this organisation (None: unknown or removed)."""
    return (await session.execute(_PARENT_RECORD, {"account_id": account_id,
                                                   "organisation_id": organisation_id})).first()


async def staff_of_account(session: Session, account_id: UUID, organisation_id: UUID) -> Any:
    """The active staff record of this login in this organisation (None: unknown, removed or inactive)."""
    return (await session.execute(_STAFF_RECORD, {"account_id": account_id,
                                                  "organisation_id": organisation_id})).first()


def _current_placement(child: Any, group: Any, day: Any) -> Any:
    p = directory_placements.c
    return exists().where(p.child_id == child, p.group_id == group, ~p.deleted,
                          or_(p.ends_on.is_(None), p.ends_on >= day))


def visible_clause(role: str, c: Any = conversations.c) -> ColumnElement[bool]:
    """The conversations (columns `c`) the caller may read, as a WHERE condition on bound values: `account_id`,
    `organisation_id` and `day` (the day care's date). Prebuilt once per role; the caller's directory record is
    a subquery, so a read statement needs no round trip of its own to find who is asking.

    Who may read is `service_layer.participants.may_read` in SQL. The staff branch is
    `domain.staff_groups_of_child_conversation`: the conversation's group while the child is still placed there,
    the child's current groups once it has left; plus the child's mentor.
    """
    organisation = bindparam("organisation_id", type_=Uuid)
    # A parent's rows are the family's, whatever the organisation's size: the organisation as a subquery
    # (konnect_kit.db.opaque) keeps the parent's list on one generic plan; seen as a value, a small organisation
    # beside a big one had it planned again on every read. Staff and administrators keep the value: their
    # rows are the organisation's, and a generic plan made for the big one took 0.2-1 s for a small one
    # (test_messaging_list_plans.py, bench/PROFILE-read-paths.md round 13).
    in_org = c.organisation_id == (opaque(organisation) if role == "parent" else organisation)
    if role == "admin":
        return in_org
    if role == "parent":  # a parent the directory does not (or no longer) know has no family: NULL matches nothing
        return and_(in_org, c.family_id == _PARENT_RECORD.with_only_columns(_p.family_id).scalar_subquery())
    # Staff unknown to the directory (or inactive) have no groups and mentor no one: they see nothing.
    groups = select(func.unnest(_ME.c.group_ids))
    day = bindparam("day", type_=Date)
    p = directory_placements.c
    mentored = select(directory_children.c.child_id).where(
        directory_children.c.mentor_staff_id == select(_ME.c.staff_id).scalar_subquery(),
        ~directory_children.c.deleted)
    child_still_in_group = _current_placement(c.child_id, c.group_id, day)
    child_in_my_group = exists().where(p.child_id == c.child_id, p.group_id.in_(groups), ~p.deleted,
                                       or_(p.ends_on.is_(None), p.ends_on >= day))
    about_child = or_(
        c.child_id.in_(mentored),
        and_(c.group_id.in_(groups), child_still_in_group),
        and_(~child_still_in_group, child_in_my_group),
    )
    # Every conversation the rule lets through is about a child in `candidates` or is a group's of `groups`, so
    # this condition changes no answer; it lets PostgreSQL find them by the child and group indexes instead of
    # testing every conversation of the organisation (a staff member of 488 conversations among 115,000 read
    # them all, twice: bench/PROFILE-read-paths.md round 14).
    # As an array value (a cast, not `ANY (subquery)`), so it is an index condition on the group.
    my_groups = cast(select(_ME.c.group_ids).scalar_subquery(), ARRAY(Uuid))
    candidates = func.array(mentored.union_all(select(p.child_id).where(
        p.group_id == func.any(my_groups), ~p.deleted, or_(p.ends_on.is_(None), p.ends_on >= day))).scalar_subquery())
    found_by_index = or_(c.child_id == func.any(candidates), c.group_id == func.any(my_groups))
    return and_(in_org, found_by_index, or_(and_(c.child_id.is_(None), c.group_id.in_(groups)),
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


async def conversation(session: Session, conversation_id: UUID, *, lock: bool = False) -> Any:
    query = select(conversations).where(conversations.c.conversation_id == conversation_id)
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
