"""credits.ledger.v1: the credit read model (`CreditGranted`) and reservation results for credit-paid lines."""

import logging
from collections.abc import Callable
from datetime import datetime

from konnect_contracts.events.credits import CreditGranted, CreditReservationFailed, CreditReserved
from konnect_kit.consumer import EventContext, Handlers
from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert

from planning.db.requests import credit_grants
from planning.service_layer.decisions import record_reservation

log = logging.getLogger(__name__)


def handlers(now: Callable[[], datetime]) -> Handlers:
    async def credit_granted(ctx: EventContext, event: CreditGranted) -> None:
        values = {"organisation_id": event.organisation_id, "child_id": event.child_id, "unit": event.unit,
                  "valid_from": event.valid_from, "valid_until": event.valid_until, "usage_rule": event.usage_rule,
                  "care_types": list(event.care_types)}
        # A re-grant (correction) carries the full state again: last one wins.
        await ctx.session.execute(insert(credit_grants).values(credit_id=event.credit_id, **values)
                                  .on_conflict_do_update(index_elements=[credit_grants.c.credit_id],
                                                         set_={**values, "updated_at": func.now()}))

    async def credit_reserved(ctx: EventContext, event: CreditReserved) -> None:
        if not await record_reservation(ctx.session, ctx.outbox, request_id=event.request_id, line_id=event.line_id,
                                        reserved=True, reason=None, now=now()):
            log.info("reservation result ignored", extra={"line_id": str(event.line_id)})

    async def reservation_failed(ctx: EventContext, event: CreditReservationFailed) -> None:
        reason = event.reason or f"The credit could not be reserved ({event.reason_code})."
        if not await record_reservation(ctx.session, ctx.outbox, request_id=event.request_id, line_id=event.line_id,
                                        reserved=False, reason=reason, now=now()):
            log.info("reservation result ignored", extra={"line_id": str(event.line_id)})

    return {CreditGranted: credit_granted, CreditReserved: credit_reserved,
            CreditReservationFailed: reservation_failed}
