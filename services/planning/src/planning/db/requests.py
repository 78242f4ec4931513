"""Request tables: requests and their lines, absences, expiry timers and the credit read model."""

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY

from planning.db.models import metadata

requests = Table(
    "requests", metadata,
    Column("request_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),
    Column("all_or_nothing", Boolean, nullable=False),
    Column("expires_on", Date, nullable=False),
    Column("submitted_by", Text, nullable=False),
    Column("submitted_role", Text, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    # Set once, in the transaction that publishes RequestDecided: the guard against a second one.
    Column("decided_at", DateTime(timezone=True)),
    CheckConstraint("kind IN ('extra_day', 'swap')", name="requests_kind"),
    Index("ix_requests_family", "family_id", "submitted_at"),
)

request_lines = Table(
    "request_lines", metadata,
    Column("line_id", Uuid, primary_key=True),
    Column("request_id", Uuid, ForeignKey("requests.request_id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("child_id", Uuid, nullable=False, index=True),
    Column("group_id", Uuid, nullable=False),
    Column("care_type", Text),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    # The dates actually booked (a period skips the days the organisation is closed).
    Column("dates", ARRAY(Date), nullable=False),
    Column("day_part_ids", ARRAY(Uuid), nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("payment", Text, nullable=False),
    Column("credit_id", Uuid),
    Column("credit_amount", Numeric(12, 2)),
    Column("price", Numeric(12, 2)),
    Column("in_school_holiday", Boolean),
    Column("give_up_date", Date),
    Column("give_up_group_id", Uuid),
    Column("give_up_day_part_ids", ARRAY(Uuid), nullable=False, server_default=text("'{}'")),
    Column("target_date", Date),
    Column("forfeited_minutes", Integer, nullable=False, server_default=text("0")),
    Column("status", Text, nullable=False),
    Column("reason", Text),
    Column("decided_at", DateTime(timezone=True)),
    Column("evaluation_outcome", Text),
    Column("evaluation_reason", Text),
    Column("evaluated_by", Text),
    Column("evaluator_id", Text),
    Column("evaluated_at", DateTime(timezone=True)),
    # The ChildEvaluated event that carried the evaluation (ours, published by the staff route, or an ERP's).
    Column("evaluation_event_id", Uuid),
    Column("reservation_status", Text, nullable=False),
    Column("reservation_reason", Text),
    CheckConstraint("payment IN ('invoice', 'credit')", name="request_lines_payment"),
    CheckConstraint("payment = 'invoice' OR (credit_id IS NOT NULL AND credit_amount IS NOT NULL)",
                    name="request_lines_credit"),
    CheckConstraint("status IN ('pending', 'accepted', 'rejected', 'expired', 'cancelled')",
                    name="request_lines_status"),
    CheckConstraint("reservation_status IN ('none', 'pending', 'reserved', 'failed')",
                    name="request_lines_reservation"),
    CheckConstraint("forfeited_minutes >= 0", name="request_lines_forfeited"),
    CheckConstraint("ends_on >= starts_on", name="request_lines_period"),
)

absences = Table(
    "absences", metadata,
    Column("absence_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("child_id", Uuid, nullable=False),
    Column("group_id", Uuid),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("day_part_ids", ARRAY(Uuid), nullable=False),
    Column("reason", Text, nullable=False),
    Column("note", Text),
    Column("status", Text, nullable=False),
    Column("reported_by", Text, nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False),
    Column("cancelled_at", DateTime(timezone=True)),
    CheckConstraint("reason IN ('sick', 'vacation', 'other')", name="absences_reason"),
    CheckConstraint("status IN ('registered', 'cancelled')", name="absences_status"),
    CheckConstraint("ends_on >= starts_on", name="absences_period"),
    Index("ix_absences_family", "family_id", "starts_on"),
)

# One durable timer per request: the expiry worker claims due rows with FOR UPDATE SKIP LOCKED.
request_timers = Table(
    "request_timers", metadata,
    Column("request_id", Uuid, ForeignKey("requests.request_id"), primary_key=True),
    Column("fire_at", DateTime(timezone=True), nullable=False),
    Column("fired_at", DateTime(timezone=True)),
    Index("ix_request_timers_due", "fire_at", postgresql_where=text("fired_at IS NULL")),
)

# Read model of credits.ledger.v1 `CreditGranted`: enough to refuse an unknown or foreign credit at once.
credit_grants = Table(
    "credit_grants", metadata,
    Column("credit_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("child_id", Uuid, nullable=False, index=True),
    Column("unit", Text, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("usage_rule", Text, nullable=False),
    Column("care_types", ARRAY(Text), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
