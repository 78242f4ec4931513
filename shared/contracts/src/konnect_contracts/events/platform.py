"""Platform events: ``kit.probe.v1`` (a tiny infrastructure event for benchmarks) and
``platform.erp-clients.v1`` (ERP client registrations)."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import Field

from konnect_contracts.envelope import EventPayload
from konnect_contracts.topics import ERP_CLIENT_ID_PATTERN


class ProbeRecorded(EventPayload):
    EVENT_TYPE: ClassVar[str] = "ProbeRecorded"
    TOPIC: ClassVar[str] = "kit.probe.v1"
    KEY_FIELD: ClassVar[str] = "probe_id"

    probe_id: UUID
    organisation_id: UUID
    label: str


class ErpClientRegistered(EventPayload):
    """``platform.erp-clients.v1``: an ERP client and the organisations it may evaluate for (its full current
    set: the latest registration of a client replaces the earlier ones; an empty set revokes it).

    Written only by the platform operator's tool (``python -m konnect_kit.kafka_access erp-add``), which also
    creates the client's Kafka user, its topics ``erp.<client_id>.requests.v1`` and
    ``erp.<client_id>.evaluations.v1`` and their ACLs. Planning copies integrator events of these
    organisations to the client's requests topic and accepts from its evaluations topic only evaluations of
    these organisations.
    """

    EVENT_TYPE: ClassVar[str] = "ErpClientRegistered"
    TOPIC: ClassVar[str] = "platform.erp-clients.v1"
    KEY_FIELD: ClassVar[str] = "client_id"

    client_id: str = Field(pattern=ERP_CLIENT_ID_PATTERN)
    organisation_ids: tuple[UUID, ...]
    version: int = Field(ge=1, description="Increases with every registration of the client; older ones are ignored.")
