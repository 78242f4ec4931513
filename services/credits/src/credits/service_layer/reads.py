"""Reads for the API: who may see a child's credits, balances with state and history, usable credits."""

from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from konnect_kit.domain_errors import DomainError, NotFound
from konnect_kit.internal import Caller
from konnect_kit.roles import may_manage
from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from credits.db.models import credits, directory_children, directory_organisations, directory_parents, reservations
from credits.domain.access import may_read_child


def not_found(what: str = "child") -> DomainError:
    return NotFound("not_found", f"No such {what}.")


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


async def _caller_family(session: AsyncSession, who: Caller) -> UUID | None:
    actor = _uuid_or_none(who.actor_id) if who.role == "parent" else None
    if actor is None:
        return None
    return await session.scalar(select(directory_parents.c.family_id).where(
        directory_parents.c.account_id == actor, directory_parents.c.deleted.is_(False)))


async def child_scope(session: AsyncSession, who: Caller, child_id: UUID) -> UUID | None:
    """The organisation whose credits of this child the caller may see (None: every organisation).

    Raises 404 for anyone else, so a stranger does not learn that the child exists.
    """
    if who.role == "platform_operator":
        return None
    child = (await session.execute(select(directory_children).where(
        directory_children.c.child_id == child_id, directory_children.c.deleted.is_(False)))).first()
    if child is None:
        # Managers may read credits they granted before the directory told us about the child.
        if who.role in ("org_admin", "erp") and who.organisation_id and _uuid_or_none(who.organisation_id):
            return UUID(who.organisation_id)
        raise not_found()
    if not may_read_child(who.role, caller_organisation_id=who.organisation_id,
                          child_organisation_id=str(child.organisation_id),
                          caller_family_id=await _caller_family(session, who), child_family_id=child.family_id):
        raise not_found()
    return child.organisation_id


async def readable_credit(session: AsyncSession, who: Caller, credit_id: UUID) -> Row:
    row = (await session.execute(select(credits).where(credits.c.credit_id == credit_id))).first()
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


async def organisation_today(session: AsyncSession, organisation_id: UUID, default_zone: str) -> date:
    zone = await session.scalar(select(directory_organisations.c.time_zone).where(
        directory_organisations.c.organisation_id == organisation_id))
    try:
        return datetime.now(ZoneInfo(zone or default_zone)).date()
    except (KeyError, ValueError):
        return datetime.now(ZoneInfo(default_zone)).date()


async def child_credits(session: AsyncSession, child_id: UUID, organisation_id: UUID | None) -> list[Row]:
    query = select(credits).where(credits.c.child_id == child_id)
    if organisation_id is not None:
        query = query.where(credits.c.organisation_id == organisation_id)
    return list((await session.execute(query.order_by(credits.c.valid_until, credits.c.credit_id))).all())


async def histories(session: AsyncSession, credit_ids: list[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    """Per credit, every line that reserved it and what became of that (failed attempts moved nothing)."""
    found: dict[UUID, list[dict[str, Any]]] = {credit_id: [] for credit_id in credit_ids}
    if not credit_ids:
        return found
    rows = (await session.execute(
        select(reservations).where(reservations.c.credit_id.in_(credit_ids), reservations.c.status != "failed")
        .order_by(reservations.c.reserved_at, reservations.c.line_id)
    )).mappings().all()
    for row in rows:
        found[row["credit_id"]].append(dict(row))
    return found
