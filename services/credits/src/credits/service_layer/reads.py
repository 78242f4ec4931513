"""Reads for the API: who may see a child's credits, balances with state and history, usable credits."""

from datetime import date, datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from konnect_kit.db import Session
from konnect_kit.domain_errors import DomainError, NotFound
from konnect_kit.internal import Caller
from konnect_kit.roles import may_manage

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
    return (await _scope_and_facts(session, who, child_id))[0]


async def _scope_and_facts(session: Session, who: Caller, child_id: UUID) -> tuple[UUID | None, ChildFacts | None]:
    if who.role == "platform_operator":
        return None, None
    parent = _uuid_or_none(who.actor_id) if who.role == "parent" else None
    facts = await child_facts(session, child_id, parent)
    child = facts.child
    if child is None:
        # Managers may read credits they granted before the directory told us about the child.
        if who.role in ("org_admin", "erp") and who.organisation_id and _uuid_or_none(who.organisation_id):
            return UUID(who.organisation_id), facts
        raise not_found()
    if not may_read_child(who.role, caller_organisation_id=who.organisation_id,
                          child_organisation_id=str(child.organisation_id),
                          caller_family_id=facts.caller_family_id, child_family_id=child.family_id):
        raise not_found()
    return child.organisation_id, facts


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


async def readable_child_credits(session: Session, who: Caller, child_id: UUID, default_zone: str
                                 ) -> tuple[list[Credit], dict[UUID, date]]:
    """The child's credits the caller may see, and the organisation's date today where already known (the
    child's own organisation: asked in the same statement as the access check)."""
    scope, facts = await _scope_and_facts(session, who, child_id)
    todays = {}
    if facts is not None and facts.child is not None and facts.time_zone is not None:
        todays[facts.child.organisation_id] = zone_today(facts.time_zone, default_zone)
    return await credits_of_child(session, child_id, scope), todays
