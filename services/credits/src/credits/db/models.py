"""Credits tables (SQLAlchemy Core): the ledger (credits, reservations) and the directory read model."""

from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    func,
    text,
)

metadata = MetaData()

# One row per grant with its running figures. `reserved` and `consumed` move only together with a
# reservation row, under the credit row's lock; the CHECK makes overspending impossible even for a bug
# or a concurrent writer that skipped the lock: the transaction fails instead of going below zero.
credits = Table(
    "credits",
    metadata,
    Column("credit_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("child_id", Uuid, nullable=False),
    Column("family_id", Uuid),
    Column("unit", Text, nullable=False),
    Column("amount", Numeric, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("usage_rule", Text, nullable=False, server_default="any_day"),
    Column("care_types", ARRAY(Text), nullable=False, server_default="{}"),
    Column("description", Text),
    Column("external_id", Text),
    Column("reserved", Numeric, nullable=False, server_default="0"),
    Column("consumed", Numeric, nullable=False, server_default="0"),
    Column("granted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("unit IN ('hours', 'points')", name="credits_unit"),
    CheckConstraint("amount > 0", name="credits_amount_positive"),
    CheckConstraint("valid_until >= valid_from", name="credits_period"),
    CheckConstraint("usage_rule IN ('any_day', 'holiday_weeks', 'school_weeks')", name="credits_usage_rule"),
    CheckConstraint("reserved >= 0 AND consumed >= 0 AND reserved + consumed <= amount", name="credits_balance"),
)
Index("credits_child", credits.c.child_id)
# An ERP names its credits by its own id; two grants of one organisation may not share it.
Index("credits_external_id_key", credits.c.organisation_id, credits.c.external_id, unique=True,
      postgresql_where=text("external_id IS NOT NULL"))

RESERVATION_STATUSES = ("reserved", "consumed", "released", "failed")

# One row per credit-paid request line, whatever the outcome: the primary key is what makes a
# redelivered or replayed RequestSubmitted reserve nothing twice, and a failed attempt is kept so a
# replay cannot turn a refusal into a reservation later.
reservations = Table(
    "reservations",
    metadata,
    Column("request_id", Uuid, nullable=False),
    Column("line_id", Uuid, nullable=False),
    # No foreign key: a failed attempt may name a credit that does not exist.
    Column("credit_id", Uuid),
    Column("organisation_id", Uuid, nullable=False),
    Column("child_id", Uuid, nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("amount", Numeric),
    Column("status", Text, nullable=False),
    Column("cause", Text),
    Column("reason_code", Text),
    Column("reserved_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("consumed_at", DateTime(timezone=True)),
    Column("released_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("request_id", "line_id"),
    CheckConstraint("status IN ('reserved', 'consumed', 'released', 'failed')", name="reservations_status"),
    CheckConstraint("cause IS NULL OR cause IN ('rejected', 'expired', 'cancelled')", name="reservations_cause"),
    CheckConstraint("(status = 'released') = (cause IS NOT NULL)", name="reservations_released_cause"),
    CheckConstraint("(status = 'failed') = (reason_code IS NOT NULL)", name="reservations_failed_reason"),
    CheckConstraint("status = 'failed' OR (amount > 0 AND credit_id IS NOT NULL)", name="reservations_amount"),
)
Index("reservations_credit", reservations.c.credit_id, reservations.c.reserved_at)

# Read model of identity's directory: which family a child and a parent account belong to, and the
# organisation's time zone (a credit's state depends on the organisation's "today").
directory_children = Table(
    "directory_children",
    metadata,
    Column("child_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("deleted", Boolean, nullable=False, server_default="false"),
    Column("version", Integer, nullable=False),
)
directory_parents = Table(
    "directory_parents",
    metadata,
    Column("account_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("deleted", Boolean, nullable=False, server_default="false"),
    Column("version", Integer, nullable=False),
)
directory_organisations = Table(
    "directory_organisations",
    metadata,
    Column("organisation_id", Uuid, primary_key=True),
    Column("time_zone", Text, nullable=False),
    Column("version", Integer, nullable=False),
)

