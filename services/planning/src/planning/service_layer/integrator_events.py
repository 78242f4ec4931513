"""Publishing an integrator event: to its own topic and, in the same transaction, to each ERP client of the
organisation (`erp.<client>.requests.v1`, the only topic the broker lets that client read).

Copying here rather than in a consumer of our own topics saves the saga a whole hop (consume, transaction,
relay: about a fifth of `bench/request_saga`'s latency), and a copy can never lag or be lost apart from its
event: both are rows of one outbox transaction. The copy keeps the event's id, so receivers deduplicate.
"""

from konnect_contracts import Envelope
from konnect_contracts.events.requests import (
    AbsenceCancelled,
    AbsenceReported,
    ChildEvaluated,
    RequestCancelled,
    RequestDecided,
    RequestExpired,
    RequestSubmitted,
)
from konnect_contracts.topics import erp_topics
from konnect_kit.db import Session
from konnect_kit.outbox import Outbox

from planning.db.erp import clients_of

IntegratorEvent = (RequestSubmitted | RequestDecided | RequestExpired | RequestCancelled | AbsenceReported
                   | AbsenceCancelled | ChildEvaluated)


async def publish(session: Session, outbox: Outbox, event: IntegratorEvent) -> Envelope:
    clients = await clients_of(session, event.organisation_id)
    return await outbox.publish(session, event, copies=[(erp_topics(client).requests, event.partition_key())
                                                        for client in clients])
