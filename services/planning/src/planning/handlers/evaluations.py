"""`ChildEvaluated` from planning.evaluations.v1: ERP evaluations applied like staff ones, our own echoes skipped."""

from collections.abc import Callable
from datetime import datetime

from konnect_contracts.events.requests import ChildEvaluated
from konnect_kit.consumer import EventConsumer, EventContext

from planning.service_layer.evaluations import apply_child_evaluated
from planning.settings import Settings


def register(settings: Settings, now: Callable[[], datetime]) -> Callable[[EventConsumer], None]:
    async def child_evaluated(ctx: EventContext, event: ChildEvaluated) -> None:
        # Duplicates of one event never get here (inbox); a second evaluation of a line is ignored with a log.
        await apply_child_evaluated(ctx.session, ctx.outbox, event, ctx.envelope.event_id, now(),
                                    requests_topic=settings.requests_topic)

    def wire(consumer: EventConsumer) -> None:
        consumer.on(ChildEvaluated, child_evaluated, topic=settings.evaluations_topic)

    return wire
