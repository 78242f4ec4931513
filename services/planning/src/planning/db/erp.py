"""The ERP client read model: client id → the organisations it may evaluate for (platform.erp-clients.v1)."""

from typing import Any

from konnect_kit.db import driver
from sqlalchemy import BigInteger, Column, DateTime, Table, Text, Uuid, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from planning.db.models import metadata

erp_clients = Table(
    "erp_clients", metadata,
    Column("client_id", Text, primary_key=True),
    Column("organisation_ids", ARRAY(Uuid), nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)


async def clients_of(session: AsyncSession, organisation_id: Any) -> list[str]:
    """The ERP clients registered for an organisation, by id."""
    # Driver-level (konnect_kit.db.driver): every event an ERP gets a copy of asks, on the request saga's path.
    rows = await (await driver(session)).fetch(
        "SELECT client_id FROM erp_clients WHERE organisation_ids @> ARRAY[$1::uuid] ORDER BY client_id",
        organisation_id)
    return [row[0] for row in rows]
