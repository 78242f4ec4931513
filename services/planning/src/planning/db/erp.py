"""The ERP client read model: client id → the organisations it may evaluate for (platform.erp-clients.v1)."""

from sqlalchemy import BigInteger, Column, DateTime, Table, Text, Uuid, func
from sqlalchemy.dialects.postgresql import ARRAY

from planning.db.models import metadata

erp_clients = Table(
    "erp_clients", metadata,
    Column("client_id", Text, primary_key=True),
    Column("organisation_ids", ARRAY(Uuid), nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
