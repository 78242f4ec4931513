"""Grants: create or change a credit idempotently; a change never takes back what is already used."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from konnect_contracts.events.credits import CreditGranted
from konnect_kit.db import Session
from konnect_kit.domain_errors import Conflict, Invalid, NotFound
from konnect_kit.outbox import Outbox

from credits.db.directory import known_child
from credits.db.ledger import Credit, save_grant
from credits.domain.ledger import ZERO
from credits.service_layer.ledger import balance_of, lock_credit

# Fields a grant states; the running figures (reserved, consumed) are the ledger's, never the caller's.
GRANT_FIELDS = ("organisation_id", "child_id", "family_id", "unit", "amount", "valid_from", "valid_until",
                "usage_rule", "care_types", "description", "external_id")


@dataclass(frozen=True)
class GrantResult:
    changed: bool
    created: bool


async def grant_credit(session: Session, outbox: Outbox, credit_id: UUID,
                       values: dict[str, Any]) -> GrantResult:
    """Insert or update the grant; publishes CreditGranted for a new grant or a real change only."""
    org = values["organisation_id"]
    child = await known_child(session, values["child_id"])
    if child is not None:
        # Known children must be of this organisation; unknown ones are accepted, since an ERP may push a
        # credit before identity's directory event reaches us.
        if child.organisation_id != org:
            raise Invalid("unknown_reference", "child_id does not name a child of this organisation.",
                           {"field": "child_id", "value": str(values["child_id"])})
        if values.get("family_id") is None:
            values = {**values, "family_id": child.family_id}
    values = {**values, "care_types": sorted(set(values["care_types"]))}
    row = await lock_credit(session, credit_id, organisation_id=org)
    if row is not None:
        current = {field: getattr(row, field) for field in GRANT_FIELDS}
        current["care_types"] = sorted(current["care_types"])
        if values.get("family_id") is None:
            values = {**values, "family_id": row.family_id}
        if current == values:
            return GrantResult(changed=False, created=False)  # the same grant again: no write, no event
        _check_change(row, values)
    # Only this organisation's credit is ever updated: an id another organisation uses changes nothing and
    # answers like an unknown id.
    if not await save_grant(session, credit_id, values):
        raise NotFound("not_found", "No such credit.")
    published = {k: v for k, v in values.items() if k != "external_id"}  # the ERP's own id stays here
    await outbox.publish(session, CreditGranted(credit_id=credit_id, **{**published, "care_types": tuple(
        values["care_types"])}), organisation_id=org)
    return GrantResult(changed=True, created=row is None)


def _check_change(row: Credit, values: dict[str, Any]) -> None:
    balance = balance_of(row)
    if balance.used == ZERO:
        return
    if values["child_id"] != row.child_id or values["unit"] != row.unit:
        raise Conflict("credit_in_use", "A credit with reservations or consumption keeps its child and unit.")
    if values["amount"] < balance.used:
        raise Conflict("amount_below_used", "The amount cannot go below what is already reserved or consumed.",
                       {"reserved": str(balance.reserved), "consumed": str(balance.consumed)})
