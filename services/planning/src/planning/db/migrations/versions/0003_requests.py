"""Requests, request lines, absences, expiry timers and the credit read model."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("request_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("family_id", sa.Uuid, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("all_or_nothing", sa.Boolean, nullable=False),
        sa.Column("expires_on", sa.Date, nullable=False),
        sa.Column("submitted_by", sa.Text, nullable=False),
        sa.Column("submitted_role", sa.Text, nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("kind IN ('extra_day', 'swap')", name="requests_kind"),
    )
    op.create_index("ix_requests_family", "requests", ["family_id", "submitted_at"])
    op.create_table(
        "request_lines",
        sa.Column("line_id", sa.Uuid, primary_key=True),
        sa.Column("request_id", sa.Uuid, sa.ForeignKey("requests.request_id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("child_id", sa.Uuid, nullable=False),
        sa.Column("group_id", sa.Uuid, nullable=False),
        sa.Column("care_type", sa.Text),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("dates", ARRAY(sa.Date), nullable=False),
        sa.Column("day_part_ids", ARRAY(sa.Uuid), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=False),
        sa.Column("payment", sa.Text, nullable=False),
        sa.Column("credit_id", sa.Uuid),
        sa.Column("credit_amount", sa.Numeric(12, 2)),
        sa.Column("price", sa.Numeric(12, 2)),
        sa.Column("in_school_holiday", sa.Boolean),
        sa.Column("give_up_date", sa.Date),
        sa.Column("give_up_group_id", sa.Uuid),
        sa.Column("give_up_day_part_ids", ARRAY(sa.Uuid), nullable=False, server_default=sa.text("'{}'")),
        sa.Column("target_date", sa.Date),
        sa.Column("forfeited_minutes", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("evaluation_outcome", sa.Text),
        sa.Column("evaluation_reason", sa.Text),
        sa.Column("evaluated_by", sa.Text),
        sa.Column("evaluator_id", sa.Text),
        sa.Column("evaluated_at", sa.DateTime(timezone=True)),
        sa.Column("evaluation_event_id", sa.Uuid),
        sa.Column("reservation_status", sa.Text, nullable=False),
        sa.Column("reservation_reason", sa.Text),
        sa.CheckConstraint("payment IN ('invoice', 'credit')", name="request_lines_payment"),
        sa.CheckConstraint("payment = 'invoice' OR (credit_id IS NOT NULL AND credit_amount IS NOT NULL)",
                           name="request_lines_credit"),
        sa.CheckConstraint("status IN ('pending', 'accepted', 'rejected', 'expired', 'cancelled')",
                           name="request_lines_status"),
        sa.CheckConstraint("reservation_status IN ('none', 'pending', 'reserved', 'failed')",
                           name="request_lines_reservation"),
        sa.CheckConstraint("forfeited_minutes >= 0", name="request_lines_forfeited"),
        sa.CheckConstraint("ends_on >= starts_on", name="request_lines_period"),
    )
    op.create_index("ix_request_lines_request_id", "request_lines", ["request_id"])
    op.create_index("ix_request_lines_child_id", "request_lines", ["child_id"])
    op.create_table(
        "absences",
        sa.Column("absence_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("family_id", sa.Uuid, nullable=False),
        sa.Column("child_id", sa.Uuid, nullable=False),
        sa.Column("group_id", sa.Uuid),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        sa.Column("day_part_ids", ARRAY(sa.Uuid), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("reported_by", sa.Text, nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint("reason IN ('sick', 'vacation', 'other')", name="absences_reason"),
        sa.CheckConstraint("status IN ('registered', 'cancelled')", name="absences_status"),
        sa.CheckConstraint("ends_on >= starts_on", name="absences_period"),
    )
    op.create_index("ix_absences_family", "absences", ["family_id", "starts_on"])
    op.create_table(
        "request_timers",
        sa.Column("request_id", sa.Uuid, sa.ForeignKey("requests.request_id"), primary_key=True),
        sa.Column("fire_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_request_timers_due", "request_timers", ["fire_at"],
                    postgresql_where=sa.text("fired_at IS NULL"))
    op.create_table(
        "credit_grants",
        sa.Column("credit_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("child_id", sa.Uuid, nullable=False),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("usage_rule", sa.Text, nullable=False),
        sa.Column("care_types", ARRAY(sa.Text), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_credit_grants_child_id", "credit_grants", ["child_id"])


def downgrade() -> None:
    for table in ("credit_grants", "request_timers", "absences", "request_lines", "requests"):
        op.drop_table(table)
