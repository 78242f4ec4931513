"""``kit.probe.v1``: a tiny infrastructure event for the end-to-end skeleton test and benchmarks."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from konnect_contracts.envelope import EventPayload


class ProbeRecorded(EventPayload):
    EVENT_TYPE: ClassVar[str] = "ProbeRecorded"
    TOPIC: ClassVar[str] = "kit.probe.v1"
    KEY_FIELD: ClassVar[str] = "probe_id"

    probe_id: UUID
    organisation_id: UUID
    label: str
