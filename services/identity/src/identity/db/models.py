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
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
