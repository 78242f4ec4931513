"""Handlers as data: a service declares {PayloadType: handler} and the kit reads each type's catalogue topic."""

from typing import Any

from konnect_contracts.events.directory import ChildUpserted, OrganisationUpserted
from konnect_contracts.events.requests import RequestSubmitted
from konnect_kit.consumer import EventConsumer, EventContext, Subscription
from konnect_kit.kafka import KafkaConnection


async def _ignore(ctx: EventContext, event: Any) -> None:
    return None


async def _no_topics(session: Any) -> list[str]:
    return []


def test_subscriptions_route_each_type_to_its_catalogue_topic_under_the_deployments_prefix() -> None:
    consumer = EventConsumer(None, None, kafka=KafkaConnection("127.0.0.1:1", "x", "y"),  # type: ignore[arg-type]
                             service="s", topic_prefix="staging.")
    consumer.subscribe([
        Subscription({ChildUpserted: _ignore, OrganisationUpserted: _ignore}),
        Subscription({RequestSubmitted: _ignore}, more_topics=_no_topics),
    ])
    assert consumer.topics == sorted([f"staging.{ChildUpserted.TOPIC}", f"staging.{RequestSubmitted.TOPIC}"])
    assert consumer._topic_sources == [_no_topics]
    assert set(consumer._routes_by_type) == {"ChildUpserted", "OrganisationUpserted", "RequestSubmitted"}
    # The group and the dead letters are in the namespace too: a prefixed deployment never joins another's group.
    assert (consumer.group_id, consumer.dead_letter_topic) == ("staging.s", "staging.dlq.s")
