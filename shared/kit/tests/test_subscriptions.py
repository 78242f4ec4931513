"""Handlers as data: a service declares {PayloadType: handler} per topic and the kit wires them."""

from typing import Any

from konnect_contracts.events.directory import ChildUpserted, OrganisationUpserted
from konnect_contracts.events.requests import RequestSubmitted
from konnect_kit.consumer import EventConsumer, EventContext, Subscription
from konnect_kit.kafka import KafkaConnection


async def _ignore(ctx: EventContext, event: Any) -> None:
    return None


async def _no_topics(session: Any) -> list[str]:
    return []


def test_subscriptions_route_each_type_to_the_catalogue_topic_or_the_given_one_and_add_topic_sources() -> None:
    consumer = EventConsumer(None, None, kafka=KafkaConnection("127.0.0.1:1", "x", "y"),  # type: ignore[arg-type]
                             group_id="g", service="s")
    consumer.subscribe([
        Subscription({ChildUpserted: _ignore, OrganisationUpserted: _ignore}),
        Subscription({RequestSubmitted: _ignore}, topic="test.requests.own-copy", more_topics=_no_topics),
    ])
    assert consumer.topics == sorted([ChildUpserted.TOPIC, "test.requests.own-copy"])
    assert consumer._topic_sources == [_no_topics]
    assert set(consumer._routes_by_type) == {"ChildUpserted", "OrganisationUpserted", "RequestSubmitted"}
