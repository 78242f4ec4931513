"""Whose family a request is for: a parent acts for their own family, staff and admins for one of their organisation."""

import uuid
from uuid import UUID

from konnect_kit.db import Session
from konnect_kit.domain_errors import Forbidden, Invalid, NotFound
from konnect_kit.internal import Caller

from planning.service_layer.calendar import FamilyRecord, family, family_of_parent

ORGANISATION_ROLES = frozenset({"staff", "org_admin", "erp"})


def actor_uuid(who: Caller) -> UUID:
    """Events name the submitter by UUID; an ERP's own (non-UUID) identifier maps to a stable UUID."""
    try:
        return UUID(who.actor_id)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"konnect:{who.role}:{who.actor_id}")


async def family_for(session: Session, who: Caller, family_id: UUID | None) -> FamilyRecord:
    """The family the caller may act for; unknown or foreign families are a 404 (their existence stays hidden)."""
    account, named = family_key(who, family_id)
    if account is not None:
        found = await family_of_parent(session, account)  # their family, in one statement
    else:
        found = await family(session, named)  # type: ignore[arg-type]
    return allowed_family(who, family_id, found)


def family_key(who: Caller, family_id: UUID | None) -> tuple[UUID | None, UUID | None]:
    """How to look the caller's family up: (the parent's account, None) or (None, the family staff name)."""
    if who.role == "parent":
        try:
            return UUID(who.actor_id), None
        except ValueError:
            raise NotFound("not_found", "No such family.") from None  # no UUID: names no parent
    if who.role in ORGANISATION_ROLES:
        if family_id is None:
            raise Invalid("family_required", "Staff and administrators name the family (family_id).")
        return None, family_id
    raise Forbidden("forbidden", "Only parents, staff and administrators submit requests.")


def allowed_family(who: Caller, family_id: UUID | None, found: FamilyRecord | None) -> FamilyRecord:
    """`found` (looked up by `family_key`) if the caller may act for it; NotFound otherwise."""
    if found is not None and who.role == "parent" and family_id is not None and family_id != found.family_id:
        found = None
    if found is not None and who.role != "parent" and str(found.organisation_id) != who.organisation_id:
        found = None
    if found is None:
        raise NotFound("not_found", "No such family.")
    return found


def may_act_for(who: Caller, *, organisation_id: UUID, family_id: UUID, caller_family: UUID | None) -> bool:
    """Parents act for their own family; staff, admins and the ERP inside their organisation."""
    if who.role == "parent":
        return caller_family is not None and caller_family == family_id
    return who.role in ORGANISATION_ROLES and who.organisation_id == str(organisation_id)
