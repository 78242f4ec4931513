"""The roles a caller can have and the rules every service shares about them (pure: no web, no database).

`may_manage` is the one answer to "may this caller manage this organisation"; `konnect_kit.tenancy` turns it
into refusals and query scopes. Domain modules may import this module (import-linter keeps it pure).
"""

from uuid import UUID

PLATFORM_OPERATOR = "platform_operator"
ORG_ADMIN = "org_admin"
ERP = "erp"
STAFF = "staff"
PARENT = "parent"

MANAGING_ROLES = frozenset({ORG_ADMIN, ERP})
"""Roles that manage one organisation (their own); the platform operator manages every one."""

PERSON_ROLES = frozenset({PARENT, STAFF, ORG_ADMIN})
"""Roles of a person's login (with a session, devices and settings); not machines, not the operator."""


def may_manage(role: str, caller_organisation_id: str | None, organisation_id: UUID | str) -> bool:
    """Admins and ERP systems act inside their own organisation only; the platform operator anywhere."""
    if role == PLATFORM_OPERATOR:
        return True
    return role in MANAGING_ROLES and caller_organisation_id is not None and \
        caller_organisation_id == str(organisation_id)
