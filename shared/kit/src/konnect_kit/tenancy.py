"""Tenant scope: which organisation a caller may manage, decided once from the forwarded identity, put in queries.

Every service uses these rules, so an admin or ERP of one organisation gets the same answer everywhere when it
aims at another organisation: 404, as if the record or organisation did not exist (its existence stays hidden);
a role that manages nothing at all (a parent, staff) gets 403, which says nothing about any organisation.
"""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import ColumnElement, true

from konnect_kit.domain_errors import Forbidden, NotFound
from konnect_kit.internal import Caller
from konnect_kit.roles import MANAGING_ROLES, may_manage

__all__ = ["MANAGING_ROLES", "TenantScope", "bound_organisation", "managing_scope", "may_manage", "not_found",
           "require_managed"]

@dataclass(frozen=True)
class TenantScope:
    """The organisation a managing caller acts in; None for the platform operator (every organisation)."""

    organisation_id: UUID | None

    def covers(self, organisation_id: UUID | str) -> bool:
        return self.organisation_id is None or str(self.organisation_id) == str(organisation_id)

    def clause(self, column: ColumnElement) -> ColumnElement[bool]:
        """The WHERE condition that keeps a query inside the scope: tenants are filtered, never checked after."""
        return true() if self.organisation_id is None else column == self.organisation_id


NO_ORGANISATION = UUID(int=0)
"""Matches no organisation: what a caller bound to none (or to a malformed id) is scoped to."""


def bound_organisation(who: Caller) -> UUID | None:
    """The organisation every query of this caller stays inside; None for the platform operator only."""
    if who.role == "platform_operator":
        return None
    try:
        return UUID(who.organisation_id) if who.organisation_id else NO_ORGANISATION
    except ValueError:
        return NO_ORGANISATION


def not_found(what: str = "record") -> NotFound:
    return NotFound("not_found", f"No such {what}.")


def managing_scope(who: Caller, *, refusal: str = "Your role may not manage an organisation.") -> TenantScope:
    """The scope of an admin, ERP or the operator; 403 (with `refusal`) for every other role."""
    if who.role == "platform_operator":
        return TenantScope(None)
    if who.role in MANAGING_ROLES and who.organisation_id:
        return TenantScope(UUID(who.organisation_id))
    raise Forbidden("forbidden", refusal)


def require_managed(who: Caller, organisation_id: UUID | str, *,
                    refusal: str = "Your role may not manage an organisation.") -> TenantScope:
    """The caller manages this organisation, or gets 404 (another tenant's) / 403 (a role that manages none)."""
    scope = managing_scope(who, refusal=refusal)
    if not scope.covers(organisation_id):
        raise not_found("organisation")
    return scope
