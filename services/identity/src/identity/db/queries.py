"""Read-side queries shared by routes (/children, /me): JSON-ready dicts with str ids and ISO dates."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from konnect_kit.db import Reader, ReadQuery
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from identity.db.accounts import accounts, sessions
from identity.db.directory import children, families, groups, locations, parents, placements, staff
from identity.db.models import organisations
from identity.domain.directory import not_ended


@dataclass(frozen=True, slots=True)
class ChildRecord:
    """A child as the child pages need it, with its mentor's name."""

    child_id: UUID
    family_id: UUID
    organisation_id: UUID
    first_name: str
    last_name: str
    birth_date: date
    mentor_staff_id: UUID | None
    mentor_name: str | None


@dataclass(frozen=True, slots=True)
class AccountView:
    """An account as its owner sees it: no secrets, with its organisation and (for a parent) family."""

    account_id: UUID
    organisation_id: UUID
    role: str
    email: str
    display_name: str
    language: str
    phone: str | None
    status: str
    organisation_name: str | None
    time_zone: str | None = None
    family_id: UUID | None = None
    family_name: str | None = None


# What an account shows of itself: never its password hash, even in memory on the way to an answer.
ACCOUNT_VIEW_COLUMNS = (accounts.c.account_id, accounts.c.organisation_id, accounts.c.role, accounts.c.email,
                        accounts.c.display_name, accounts.c.language, accounts.c.phone, accounts.c.status,
                        organisations.c.name.label("organisation_name"))


def today_in(zone: str | None) -> date:
    """'Today' where the organisation is: a placement ending today is still current in Amsterdam at 01:00 UTC."""
    return datetime.now(ZoneInfo(zone or "Europe/Amsterdam")).date()


async def organisation_today(session: AsyncSession, organisation_id: UUID) -> date:
    zone = await session.scalar(
        select(organisations.c.time_zone).where(organisations.c.organisation_id == organisation_id)
    )
    return today_in(zone)


def _placement_query() -> Any:
    return (
        select(placements.c.placement_id, placements.c.child_id, placements.c.care_type, placements.c.starts_on,
               placements.c.ends_on, groups.c.group_id, groups.c.name.label("group_name"), locations.c.location_id,
               locations.c.name.label("location_name"))
        .join(groups, groups.c.group_id == placements.c.group_id)
        .join(locations, locations.c.location_id == groups.c.location_id)
    )


def _placement_entry(row: Any) -> dict[str, Any]:
    """The placement in a row of `_children_with_placements` (its `p_` columns)."""
    # Columns by key (a Reader's row or a mapping): on Python 3.11 an attribute of an asyncpg row first fails the
    # normal lookup (a formatted AttributeError) before it is found, ~10x the cost (round 8).
    ends_on = row["p_ends_on"]
    return {
        "placement_id": str(row["p_placement_id"]),
        "group": {"group_id": str(row["p_group_id"]), "name": row["p_group_name"]},
        "location": {"location_id": str(row["p_location_id"]), "name": row["p_location_name"]},
        "care_type": row["p_care_type"],
        "starts_on": row["p_starts_on"].isoformat(),
        "ends_on": ends_on.isoformat() if ends_on else None,
    }


def _child_entry(row: Any, child_placements: list[dict[str, Any]]) -> dict[str, Any]:
    mentor = row["mentor_staff_id"]
    return {
        "child_id": str(row["child_id"]),
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "birth_date": row["birth_date"].isoformat(),
        "mentor": {"staff_id": str(mentor), "name": row["mentor_name"]} if mentor else None,
        "placements": child_placements,
    }


_CHILD = (
    select(children.c.child_id, children.c.family_id, children.c.organisation_id, children.c.first_name,
           children.c.last_name, children.c.birth_date, children.c.mentor_staff_id, staff.c.name.label("mentor_name"))
    .outerjoin(staff, staff.c.staff_id == children.c.mentor_staff_id)
    .where(children.c.child_id == bindparam("child_id"))
)


async def child_summaries(session: AsyncSession, found: Sequence[ChildRecord], today: date) -> list[dict[str, Any]]:
    """Children → their entries (the child page), built like the family overview."""
    if not found:
        return []
    rows = await session.execute(_SOME_CHILDREN, {"child_ids": [child.child_id for child in found]})
    return _child_entries(rows.mappings().all(), today)


async def child_record(session: AsyncSession, child_id: UUID) -> ChildRecord | None:
    row = (await session.execute(_CHILD, {"child_id": child_id})).first()
    return ChildRecord(**row._mapping) if row else None


_placed = _placement_query().subquery()


def _children_with_placements(*where: Any) -> Any:
    """Children with mentor and every placement (`p_` columns, none for a child without one): one round trip."""
    return (
        select(children, staff.c.name.label("mentor_name"), *[c.label(f"p_{c.name}") for c in _placed.c])
        .outerjoin(staff, staff.c.staff_id == children.c.mentor_staff_id)
        .outerjoin(_placed, _placed.c.child_id == children.c.child_id)
        .where(*where)
        .order_by(children.c.birth_date, children.c.first_name, children.c.child_id, _placed.c.starts_on,
                  _placed.c.placement_id)
    )


_SOME_CHILDREN = _children_with_placements(children.c.child_id.in_(bindparam("child_ids", expanding=True)))


def _child_entries(rows: Sequence[Any], today: date) -> list[dict[str, Any]]:
    """Rows of `_children_with_placements` → one entry per child, current and future placements only."""
    entries: dict[UUID, dict[str, Any]] = {}
    for row in rows:
        child_id = row["child_id"]
        entry = entries.get(child_id)
        if entry is None:
            entry = entries[child_id] = _child_entry(row, [])
        if row["p_placement_id"] is not None and not_ended(row["p_ends_on"], today):
            entry["placements"].append(_placement_entry(row))
    return list(entries.values())


_ACCOUNT_FIELDS = tuple(AccountView.__dataclass_fields__)
# A parent's children with mentor and placements, for the family of the enclosing statement (LATERAL); the
# children's own family and organisation columns are the account's already, so only the others are selected.
_kids = _children_with_placements(children.c.family_id == families.c.family_id).order_by(None).lateral("kids")
_KID_COLUMNS = [column for column in _kids.c if column.name not in _ACCOUNT_FIELDS]

# /me, the app's most frequent call, in one round trip: the live session's account with its organisation and
# (for a parent) family, and one row per child and placement (kids columns NULL when there are none). Two
# statements cost a second round trip: ~100 us of PostgreSQL and ~50 us of identity's CPU per call (round 6).
_ME = ReadQuery(
    select(*ACCOUNT_VIEW_COLUMNS, organisations.c.time_zone, families.c.family_id,
           families.c.name.label("family_name"), *_KID_COLUMNS)
    .select_from(sessions)
    .join(accounts, accounts.c.account_id == sessions.c.account_id)
    .outerjoin(organisations, organisations.c.organisation_id == accounts.c.organisation_id)
    .outerjoin(parents, parents.c.parent_id == accounts.c.account_id)
    .outerjoin(families, families.c.family_id == parents.c.family_id)
    .outerjoin(_kids, accounts.c.role == "parent")
    .where(sessions.c.session_id == bindparam("session_id"), sessions.c.account_id == bindparam("account_id"),
           sessions.c.revoked_at.is_(None))
    .order_by(_kids.c.birth_date, _kids.c.first_name, _kids.c.child_id, _kids.c.p_starts_on,
              _kids.c.p_placement_id)
)


async def account_and_children(reader: Reader, session_id: UUID,
                               account_id: UUID) -> tuple[AccountView, list[dict[str, Any]]] | None:
    """The account of a session that has not ended, with its organisation and (for a parent) family and
    children (mentor, current and future placements); None when the session has ended."""
    rows = await reader.rows(_ME, session_id=session_id, account_id=account_id)
    if not rows:
        return None
    account = AccountView(**{name: rows[0][name] for name in _ACCOUNT_FIELDS})
    kids = [row for row in rows if row["child_id"] is not None]
    return account, _child_entries(kids, today_in(account.time_zone)) if kids else []
