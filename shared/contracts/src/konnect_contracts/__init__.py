"""Konnect event contracts: envelope, payload models, topic catalogue and JSON Schemas."""

from konnect_contracts.envelope import (
    HEADER_CORRELATION_ID,
    HEADER_EVENT_ID,
    HEADER_EVENT_TYPE,
    Envelope,
    EventPayload,
    kafka_headers,
)
from konnect_contracts.registry import EVENT_TYPES, parse_payload
from konnect_contracts.topics import (
    DEAD_LETTER_PARTITIONS,
    SERVICES,
    TOPICS,
    TopicSpec,
    all_topic_specs,
    dead_letter_topic,
)

__all__ = [
    "DEAD_LETTER_PARTITIONS",
    "EVENT_TYPES",
    "HEADER_CORRELATION_ID",
    "HEADER_EVENT_ID",
    "HEADER_EVENT_TYPE",
    "SERVICES",
    "TOPICS",
    "Envelope",
    "EventPayload",
    "TopicSpec",
    "all_topic_specs",
    "dead_letter_topic",
    "kafka_headers",
    "parse_payload",
]
