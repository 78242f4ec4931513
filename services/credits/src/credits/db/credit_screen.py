"""A child's credits screen in one statement on the lean read path: the access facts, the credits, their histories."""

from dataclasses import dataclass, fields
from typing import Any
from uuid import UUID

from konnect_kit.db import Reader, ReadQuery
from sqlalchemy import Boolean, Uuid, and_, bindparam, func, literal, or_, select, true

from credits.db.directory import CHILD_FACTS, ChildFacts, facts_of, time_zone_column
from credits.db.ledger import CHILD_CREDITS_ORDER, CREDIT_COLUMNS, HISTORY_ORDER, IN_HISTORY, Credit
from credits.db.models import credits, reservations


@dataclass(frozen=True)
class ChildCredit:
    credit: Credit
    history: list[dict[str, Any]]  # as `db.ledger.histories` gives it
    time_zone: str | None  # the credit's organisation's


@dataclass(frozen=True)
class CreditScreen:
    facts: ChildFacts
    credits: list[ChildCredit]


_HISTORY = [column.label(f"history_{column.name}") for column in reservations.c]
_HISTORY_NAMES = [(column.name, f"history_{column.name}") for column in reservations.c]
_CREDIT_NAMES = [f.name for f in fields(Credit)]

# One row per (credit, history line): the facts ride on every row (and on a lone row of NULLs without credits),
# so the access check, the balances and the histories come from one snapshot (a reservation committed between
# two statements could otherwise show in a history but not yet in the balance). The credits are those of the
# child's organisation (or, for a child the directory does not know yet, `fallback_organisation`: a manager's
# own), or of every organisation for `every_organisation`: the same scope the service layer then checks.
_facts = CHILD_FACTS.subquery("facts")
_SCREEN = ReadQuery(
    select(_facts.c.organisation_id.label("child_organisation_id"), _facts.c.family_id.label("child_family_id"),
           _facts.c.caller_family_id, _facts.c.time_zone.label("child_time_zone"), *CREDIT_COLUMNS,
           time_zone_column(credits.c.organisation_id).label("credit_time_zone"), *_HISTORY)
    .select_from(
        select(literal(1).label("one")).subquery("one")
        .outerjoin(_facts, true())
        .outerjoin(credits, and_(credits.c.child_id == bindparam("child_id", type_=Uuid), or_(
            bindparam("every_organisation", type_=Boolean),
            credits.c.organisation_id == func.coalesce(_facts.c.organisation_id,
                                                       bindparam("fallback_organisation", type_=Uuid)))))
        .outerjoin(reservations, and_(reservations.c.credit_id == credits.c.credit_id, IN_HISTORY)))
    .order_by(*CHILD_CREDITS_ORDER, *HISTORY_ORDER))


async def credit_screen(reader: Reader, child_id: UUID, parent_account_id: UUID | None, *,
                        every_organisation: bool, fallback_organisation: UUID | None) -> CreditScreen:
    rows = await reader.rows(_SCREEN, child_id=child_id, account_id=parent_account_id,
                             every_organisation=every_organisation, fallback_organisation=fallback_organisation)
    # asyncpg values without SQLAlchemy's result processing are what the ORM path gives here too: numeric is
    # Decimal, date and timestamptz are date and aware datetime, text[] is a list, uuid compares equal to UUID.
    found: dict[UUID, ChildCredit] = {}
    for row in rows:
        if row.credit_id is None:
            continue
        entry = found.get(row.credit_id)
        if entry is None:
            entry = found[row.credit_id] = ChildCredit(Credit(**{name: row[name] for name in _CREDIT_NAMES}), [],
                                                       row.credit_time_zone)
        if row.history_request_id is not None:
            entry.history.append({name: row[label] for name, label in _HISTORY_NAMES})
    first = rows[0]
    return CreditScreen(facts_of(first.child_organisation_id, first.child_family_id, first.caller_family_id,
                                 first.child_time_zone), list(found.values()))
