"""Identity tables (SQLAlchemy Core)."""

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, Uuid, func

metadata = MetaData()

organisations = Table(
    "organisations",
    metadata,
    Column("organisation_id", Uuid, primary_key=True),
    Column("external_id", Text, unique=True),
    Column("name", Text, nullable=False),
    Column("time_zone", Text, nullable=False),
    # Mails to parents name the organisation; replies go to this address, the logo heads them (both optional).
    Column("email", Text),
    Column("logo_url", Text),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
