"""Reads for the API: who may see a child's credits, balances with state and history, usable credits."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from konnect_kit.db import Reader, Session
from konnect_kit.domain_errors import DomainError, NotFound
from konnect_kit.internal import Caller
from konnect_kit.roles import may_manage

from credits.db.credit_screen import credit_screen
from credits.db.directory import ChildFacts, child_facts, time_zone_of
from credits.db.ledger import Credit, credit, credits_of_child
from credits.db.ledger import histories as histories
from credits.domain.access import may_read_child


def not_found(what: str = "child") -> DomainError:
    return NotFound("not_found", f"No such {what}.")


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


async def child_scope(session: Session, who: Caller, child_id: UUID) -> UUID | None:
    """The organisation whose credits of this child the caller may see (None: every organisation).

    Raises 404 for anyone else, so a stranger does not learn that the child exists.
    """
    if who.role == "platform_operator":
        return None
    return _scope(who, await child_facts(session, child_id, _parent_account(who)))


def _parent_account(who: Caller) -> UUID | None:
    return _uuid_or_none(who.actor_id) if who.role == "parent" else None


def _managed_organisation(who: Caller) -> UUID | None:
    """A manager's own organisation: where they may read credits they granted before the directory told us about
    the child."""
    if who.role in ("org_admin", "erp") and who.organisation_id:
        return _uuid_or_none(who.organisation_id)
    return None


def _scope(who: Caller, facts: ChildFacts) -> UUID:
    """`child_scope` of a caller other than the platform operator, from what the directory knows of the child."""
    child = facts.child
    if child is None:
        managed = _managed_organisation(who)
        if managed is not None:
            return managed
        raise not_found()
    if not may_read_child(who.role, caller_organisation_id=who.organisation_id,
                          child_organisation_id=str(child.organisation_id),
                          caller_family_id=facts.caller_family_id, child_family_id=child.family_id):
        raise not_found()
    return child.organisation_id


async def readable_credit(session: Session, who: Caller, credit_id: UUID) -> Credit:
    row = await credit(session, credit_id)
    if row is None:
        raise not_found("credit")
    if may_manage(who.role, who.organisation_id, str(row.organisation_id)):
        return row
    if who.role != "parent":
        raise not_found("credit")
    # A parent reads the credits of the children of their own family.
    try:
        scope = await child_scope(session, who, row.child_id)
    except DomainError:
        raise not_found("credit") from None
    if scope not in (None, row.organisation_id):
        raise not_found("credit")
    return row


async def organisation_today(session: Session, organisation_id: UUID, default_zone: str) -> date:
    return zone_today(await time_zone_of(session, organisation_id), default_zone)


def zone_today(zone: str | None, default_zone: str) -> date:
    try:
        return datetime.now(ZoneInfo(zone or default_zone)).date()
    except (KeyError, ValueError):
        return datetime.now(ZoneInfo(default_zone)).date()


async def child_credits(session: Session, child_id: UUID, organisation_id: UUID | None) -> list[Credit]:
    return await credits_of_child(session, child_id, organisation_id)


@dataclass(frozen=True)
class ReadableCredit:
    credit: Credit
    history: list[dict[str, Any]]
    today: date  # in the credit's organisation


async def readable_child_credits(reader: Reader, who: Caller, child_id: UUID,
                                 default_zone: str) -> list[ReadableCredit]:
    """The child's credits the caller may see, with their histories and their organisations' dates today.

    A parent opens this screen often, so it is one statement on the lean read path (it writes nothing): the
    directory facts the access rule needs come with the credits of the scope that rule would grant, and the
    rule then decides before anything is returned.
    """
    every = who.role == "platform_operator"
    screen = await credit_screen(reader, child_id, _parent_account(who), every_organisation=every,
                                 fallback_organisation=_managed_organisation(who))
    scope = None if every else _scope(who, screen.facts)
    todays: dict[str | None, date] = {}
    found = []
    for item in screen.credits:
        if scope is not None and item.credit.organisation_id != scope:
            continue  # never the case (the statement narrows alike), but the access rule is the authority
        if item.time_zone not in todays:
            todays[item.time_zone] = zone_today(item.time_zone, default_zone)
        found.append(ReadableCredit(item.credit, item.history, todays[item.time_zone]))
    return found
