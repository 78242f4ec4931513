"""The credits saga on planning's request events: reserve at submission, consume or release afterwards."""

from uuid import UUID

from konnect_contracts.events.requests import RequestCancelled, RequestDecided, RequestExpired, RequestSubmitted
from konnect_kit.consumer import EventContext, Handlers

from credits.domain.ledger import ReleaseCause
from credits.service_layer.ledger import CreditLine, reserve_line, settle_line


async def request_submitted(ctx: EventContext, event: RequestSubmitted) -> None:
    lines = [CreditLine(
        request_id=event.request_id, line_id=line.line_id, organisation_id=event.organisation_id,
        family_id=event.family_id, child_id=line.child_id, credit_id=line.credit_id, amount=line.credit_amount,
        starts_on=line.starts_on, ends_on=line.ends_on, care_type=line.care_type,
        in_school_holiday=line.in_school_holiday,
    ) for line in event.lines if line.payment == "credit" and line.credit_id is not None]
    # Credits locked in one order by every transaction: two requests on the same credits never deadlock.
    for line in sorted(lines, key=lambda x: (str(x.credit_id), str(x.line_id))):
        await reserve_line(ctx.session, ctx.outbox, line)


async def settle(ctx: EventContext, organisation_id: UUID, request_id: UUID,
                 outcomes: list[tuple[UUID, ReleaseCause | None]]) -> None:
    for line_id, cause in outcomes:
        await settle_line(ctx.session, ctx.outbox, organisation_id=organisation_id, request_id=request_id,
                          line_id=line_id, cause=cause)


async def request_decided(ctx: EventContext, event: RequestDecided) -> None:
    await settle(ctx, event.organisation_id, event.request_id, [
        (o.line_id, None if o.outcome == "accepted" else "rejected") for o in event.outcomes])


async def request_expired(ctx: EventContext, event: RequestExpired) -> None:
    await settle(ctx, event.organisation_id, event.request_id,
                 [(line_id, "expired") for line_id in event.expired_line_ids])


async def request_cancelled(ctx: EventContext, event: RequestCancelled) -> None:
    await settle(ctx, event.organisation_id, event.request_id,
                 [(line_id, "cancelled") for line_id in event.line_ids])


HANDLERS: Handlers = {RequestSubmitted: request_submitted, RequestDecided: request_decided,
                      RequestExpired: request_expired, RequestCancelled: request_cancelled}
