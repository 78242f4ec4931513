"""The kit's own tables (outbox, inbox), created by each service's first migration."""

from alembic import op
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

kit_metadata = MetaData()

outbox = Table(
    "kit_outbox",
    kit_metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("event_type", Text, nullable=False),
    Column("topic", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("headers", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True)),
)
# The relay only ever scans unpublished rows; a partial index keeps that scan tiny.
Index("kit_outbox_unpublished", outbox.c.id, postgresql_where=outbox.c.published_at.is_(None))

inbox = Table(
    "kit_inbox",
    kit_metadata,
    Column("consumer", Text, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("consumer", "event_id"),
)


def create_kit_tables() -> None:
    """Create the kit tables from a service's first migration.

    The tables above are the single definition; a later change to them ships as its own
    idempotent migration helper here, called from a new migration in every service.
    """
    kit_metadata.create_all(bind=op.get_bind(), checkfirst=True)


def drop_kit_tables() -> None:
    kit_metadata.drop_all(bind=op.get_bind(), checkfirst=True)
