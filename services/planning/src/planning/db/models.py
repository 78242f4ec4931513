"""Planning tables (SQLAlchemy Core); `directory_*` tables are read models fed by identity's events."""

from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, Uuid, func

metadata = MetaData()

directory_organisations = Table(
    "directory_organisations",
    metadata,
    Column("organisation_id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("time_zone", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
