"""ERP clients: planning is the only bridge between the platform's topics and an ERP client's own topics.

- `ErpClientRegistered` (platform.erp-clients.v1, written by the operator's tool): which organisations each
  client may act for.
- Outbound: every integrator event of an organisation (`ERP_OUTBOUND_EVENT_TYPES`) is copied unchanged to
  `erp.<client>.requests.v1` of each client registered for that organisation, in the transaction that
  publishes it (`service_layer/integrator_events.py`). The broker lets a client read only its own requests
  topic, so it never sees another organisation's events.
- Inbound: `ChildEvaluated` from `erp.<client>.evaluations.v1`, which only that client (and the admin) may
  write. It is applied only when the evaluation's organisation is one of the client's; otherwise it is
  dead-lettered with the reason and changes nothing.
"""

import logging
from collections.abc import Callable
from datetime import datetime

from konnect_contracts.events.platform import ErpClientRegistered
from konnect_contracts.events.requests import ChildEvaluated
from konnect_contracts.topics import erp_client_of_topic, erp_topics
from konnect_kit.consumer import EventContext, PermanentError, Subscription
from konnect_kit.read_models import upsert_if_newer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from planning.db.erp import erp_clients
from planning.db.requests import requests
from planning.service_layer.evaluations import apply_child_evaluated

log = logging.getLogger(__name__)

class ForeignEvaluation(PermanentError):
    """An ERP client evaluated something it is not registered for: never retried, dead-lettered with the reason."""


async def erp_evaluation_topics(session: AsyncSession) -> list[str]:
    """Every registered ERP client's evaluations topic (a revoked client's too: what it still sends is
    dead-lettered with the reason rather than left unread)."""
    rows = await session.execute(select(erp_clients.c.client_id).order_by(erp_clients.c.client_id))
    return [erp_topics(row[0]).evaluations for row in rows]


async def check_erp_evaluation(session: AsyncSession, client: str, event: ChildEvaluated) -> None:
    """Raises `ForeignEvaluation` unless `client` is registered for the evaluation's organisation."""
    # The client's organisations and the request's own organisation (it counts, not only the one the event
    # claims) in one round trip: this runs on the request saga's path (bench/request_saga.py).
    found = (await session.execute(select(
        select(erp_clients.c.organisation_ids).where(erp_clients.c.client_id == client).scalar_subquery(),
        select(requests.c.organisation_id).where(requests.c.request_id == event.request_id).scalar_subquery(),
    ))).one()
    organisations, request_organisation = found[0], found[1]
    if organisations is None:
        raise ForeignEvaluation(f"ERP client {client!r} is not registered: evaluation refused")
    for organisation in {event.organisation_id, request_organisation} - {None}:
        if organisation not in organisations:
            raise ForeignEvaluation(f"ERP client {client!r} evaluated request {event.request_id} of organisation "
                                    f"{organisation}, which is not one of its organisations: refused")
    if event.evaluated_by != "erp":
        raise ForeignEvaluation(f"ERP client {client!r} sent an evaluation with evaluated_by="
                                f"{event.evaluated_by!r}; ERP evaluations say 'erp': refused")


def subscriptions(now: Callable[[], datetime]) -> list[Subscription]:
    async def erp_client_registered(ctx: EventContext, event: ErpClientRegistered) -> None:
        values = {"organisation_ids": list(event.organisation_ids), "version": event.version}
        await upsert_if_newer(ctx.session, erp_clients, {"client_id": event.client_id}, values)
        log.info("ERP client registered", extra={"client_id": event.client_id,
                                                  "organisations": [str(o) for o in event.organisation_ids]})

    async def child_evaluated(ctx: EventContext, event: ChildEvaluated) -> None:
        client = erp_client_of_topic(ctx.topic)
        if client is not None:  # from an ERP client's own topic: only for its own organisations
            await check_erp_evaluation(ctx.session, client, event)
        # Duplicates of one event never get here (inbox); a second evaluation of a line is ignored with a log.
        # (A staff evaluation's copies for the ERP clients were written when planning published it.)
        await apply_child_evaluated(ctx.session, ctx.outbox, event, ctx.envelope.event_id, now())

    return [
        Subscription({ErpClientRegistered: erp_client_registered}),
        # Planning's own evaluations topic, and every registered ERP client's (`ctx.topic` tells them apart).
        Subscription({ChildEvaluated: child_evaluated}, more_topics=erp_evaluation_topics),
    ]
