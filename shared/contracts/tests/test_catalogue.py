"""The event registry and the topic catalogue agree with each other."""

from __future__ import annotations

import sys
import uuid

import pytest
from konnect_contracts import envelope, registry, topics
from konnect_contracts.envelope import EventPayload
from konnect_contracts.events import platform, requests
from konnect_contracts.registry import EVENT_TYPES
from konnect_contracts.topics import TOPICS, all_topic_specs

CATALOGUE = {spec.name: spec for spec in TOPICS}


def test_topic_names_are_unique() -> None:
    assert len(CATALOGUE) == len(TOPICS)


def test_registry_is_not_empty_and_keys_match_literals() -> None:
    assert len(EVENT_TYPES) >= 30
    for event_type, cls in EVENT_TYPES.items():
        assert cls.EVENT_TYPE == event_type
        assert issubclass(cls, EventPayload)


def test_event_types_are_unique_across_all_payload_classes() -> None:
    # Walk every EventPayload subclass ever defined, not only the registry's values.
    seen: dict[str, type] = {}

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            module = sys.modules.get(sub.__module__)
            published = module is not None and getattr(module, sub.__name__, None) is sub
            if "EVENT_TYPE" in vars(sub) and sub.__module__.startswith("konnect_contracts.") and published:
                assert sub.EVENT_TYPE not in seen, f"{sub} and {seen[sub.EVENT_TYPE]} share an event type"
                seen[sub.EVENT_TYPE] = sub
            walk(sub)

    walk(EventPayload)
    assert set(seen) == set(EVENT_TYPES)


def test_registry_rejects_duplicate_event_types(monkeypatch: pytest.MonkeyPatch) -> None:
    class Clash(EventPayload):
        EVENT_TYPE = "RequestSubmitted"
        TOPIC = "planning.requests.v1"
        KEY_FIELD = "family_id"

        family_id: uuid.UUID
        organisation_id: uuid.UUID

    Clash.__module__ = platform.__name__
    monkeypatch.setattr(platform, "Clash", Clash, raising=False)
    with pytest.raises(RuntimeError, match="RequestSubmitted"):
        registry._discover()


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_event_topic_is_catalogued_and_lists_the_event(event_type: str) -> None:
    cls = EVENT_TYPES[event_type]
    assert cls.TOPIC in CATALOGUE, f"{event_type}.TOPIC {cls.TOPIC!r} is not in the catalogue"
    assert event_type in CATALOGUE[cls.TOPIC].event_types


@pytest.mark.parametrize("event_type", sorted(EVENT_TYPES))
def test_key_field_and_organisation_id_are_fields(event_type: str) -> None:
    cls = EVENT_TYPES[event_type]
    assert cls.KEY_FIELD in cls.model_fields, f"{event_type}.KEY_FIELD {cls.KEY_FIELD!r} is not a field"
    if event_type == "ErpClientRegistered":  # the one platform event: one client spans several organisations
        assert "organisation_ids" in cls.model_fields
        return
    assert "organisation_id" in cls.model_fields
    assert cls.model_fields["organisation_id"].is_required()
    assert isinstance(cls.SCHEMA_VERSION, int) and cls.SCHEMA_VERSION >= 1


@pytest.mark.parametrize("spec", TOPICS, ids=lambda s: s.name)
def test_catalogue_event_types_map_to_classes(spec: topics.TopicSpec) -> None:
    assert spec.event_types, f"{spec.name} carries no events"
    for event_type in spec.event_types:
        assert event_type in EVENT_TYPES, f"{spec.name} lists unknown event type {event_type!r}"
        cls = EVENT_TYPES[event_type]
        assert cls.TOPIC == spec.name
        assert cls.KEY_FIELD == spec.key, f"{event_type} keyed by {cls.KEY_FIELD}, topic says {spec.key}"
    assert spec.partitions >= 1


def test_every_event_is_on_exactly_one_topic() -> None:
    listed = [et for spec in TOPICS for et in spec.event_types]
    assert sorted(listed) == sorted(EVENT_TYPES)


def test_fixed_names_used_by_erp_systems() -> None:
    assert EVENT_TYPES["RequestSubmitted"] is requests.RequestSubmitted
    assert EVENT_TYPES["ChildEvaluated"] is requests.ChildEvaluated
    assert EVENT_TYPES["RequestExpired"] is requests.RequestExpired
    assert requests.RequestSubmitted.EVENT_TYPE == "RequestSubmitted"
    assert requests.ChildEvaluated.EVENT_TYPE == "ChildEvaluated"
    assert requests.RequestExpired.EVENT_TYPE == "RequestExpired"
    assert requests.ChildEvaluated.TOPIC == "planning.evaluations.v1"
    assert requests.ChildEvaluated.KEY_FIELD == "family_id"
    assert requests.RequestSubmitted.TOPIC == "planning.requests.v1"


def test_expected_catalogue() -> None:
    expected = {
        "identity.directory.v1": ("organisation_id", 6),
        "identity.accounts.v1": ("account_id", 3),
        "identity.access.v1": ("account_id", 3),
        "planning.requests.v1": ("family_id", 6),
        "planning.evaluations.v1": ("family_id", 6),
        "credits.ledger.v1": ("child_id", 6),
        "messaging.messages.v1": ("conversation_id", 6),
        "timeline.posts.v1": ("organisation_id", 6),
        "timeline.content.v1": ("location_id", 3),
        "timeline.media.v1": ("organisation_id", 3),
        "kit.probe.v1": ("probe_id", 3),
        "platform.erp-clients.v1": ("client_id", 1),
    }
    assert {s.name: (s.key, s.partitions) for s in TOPICS} == expected


def test_dead_letter_topics() -> None:
    assert topics.dead_letter_topic("planning") == "dlq.planning"
    specs = all_topic_specs()
    names = [s.name for s in specs]
    assert len(names) == len(set(names))
    dlqs = [s for s in specs if s.name.startswith("dlq.")]
    assert {s.name for s in dlqs} == {
        f"dlq.{svc}" for svc in ("identity", "timeline", "messaging", "planning", "credits", "notifications")
    }
    assert "dlq.gateway" not in names
    assert all(s.partitions == topics.DEAD_LETTER_PARTITIONS == 3 for s in dlqs)
    assert [s.name for s in all_topic_specs(include_dead_letters=False)] == [s.name for s in TOPICS]


def test_partition_key_uses_key_field() -> None:
    probe = platform.ProbeRecorded(probe_id=uuid.uuid4(), organisation_id=uuid.uuid4(), label="x")
    assert probe.partition_key() == str(probe.probe_id)
    assert envelope.EventPayload.SCHEMA_VERSION == 1


def test_erp_topics_and_who_may_use_each_topic() -> None:
    erp = topics.erp_topics("acme-erp")
    assert (erp.principal, erp.requests, erp.evaluations, erp.prefix) == (
        "erp.acme-erp", "erp.acme-erp.requests.v1", "erp.acme-erp.evaluations.v1", "erp.acme-erp.")
    assert topics.erp_client_of_topic(erp.evaluations) == "acme-erp"
    assert topics.erp_client_of_topic(erp.requests) is None
    assert topics.erp_client_of_topic("planning.evaluations.v1") is None
    with pytest.raises(ValueError):
        topics.erp_topics("Bad.Name")  # a dot would let one client's prefix cover another's topics
    services = set(topics.SERVICES)
    for spec in all_topic_specs():
        assert set(spec.producers) <= services and set(spec.consumers) <= services, spec.name
    assert CATALOGUE["identity.accounts.v1"].consumers == ("notifications",)
