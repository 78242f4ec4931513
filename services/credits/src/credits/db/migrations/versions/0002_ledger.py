"""Credit ledger (credits with running figures, reservations) and the directory read model."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "credits",
        sa.Column("credit_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("child_id", sa.Uuid, nullable=False),
        sa.Column("family_id", sa.Uuid),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("amount", sa.Numeric, nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("usage_rule", sa.Text, nullable=False, server_default="any_day"),
        sa.Column("care_types", postgresql.ARRAY(sa.Text), nullable=False, server_default="{}"),
        sa.Column("description", sa.Text),
        sa.Column("external_id", sa.Text),
        sa.Column("reserved", sa.Numeric, nullable=False, server_default="0"),
        sa.Column("consumed", sa.Numeric, nullable=False, server_default="0"),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("unit IN ('hours', 'points')", name="credits_unit"),
        sa.CheckConstraint("amount > 0", name="credits_amount_positive"),
        sa.CheckConstraint("valid_until >= valid_from", name="credits_period"),
        sa.CheckConstraint("usage_rule IN ('any_day', 'holiday_weeks', 'school_weeks')", name="credits_usage_rule"),
        sa.CheckConstraint("reserved >= 0 AND consumed >= 0 AND reserved + consumed <= amount",
                           name="credits_balance"),
    )
    op.create_index("credits_child", "credits", ["child_id"])
    op.create_index("credits_external_id_key", "credits", ["organisation_id", "external_id"], unique=True,
                    postgresql_where=sa.text("external_id IS NOT NULL"))
    op.create_table(
        "reservations",
        sa.Column("request_id", sa.Uuid, nullable=False),
        sa.Column("line_id", sa.Uuid, nullable=False),
        sa.Column("credit_id", sa.Uuid),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("child_id", sa.Uuid, nullable=False),
        sa.Column("family_id", sa.Uuid, nullable=False),
        sa.Column("amount", sa.Numeric),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("cause", sa.Text),
        sa.Column("reason_code", sa.Text),
        sa.Column("reserved_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("consumed_at", sa.DateTime(timezone=True)),
        sa.Column("released_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("request_id", "line_id"),
        sa.CheckConstraint("status IN ('reserved', 'consumed', 'released', 'failed')", name="reservations_status"),
        sa.CheckConstraint("cause IS NULL OR cause IN ('rejected', 'expired', 'cancelled')",
                           name="reservations_cause"),
        sa.CheckConstraint("(status = 'released') = (cause IS NOT NULL)", name="reservations_released_cause"),
        sa.CheckConstraint("(status = 'failed') = (reason_code IS NOT NULL)", name="reservations_failed_reason"),
        sa.CheckConstraint("status = 'failed' OR (amount > 0 AND credit_id IS NOT NULL)",
                           name="reservations_amount"),
    )
    op.create_index("reservations_credit", "reservations", ["credit_id", "reserved_at"])
    for name, key in (("directory_children", "child_id"), ("directory_parents", "account_id")):
        op.create_table(
            name,
            sa.Column(key, sa.Uuid, primary_key=True),
            sa.Column("organisation_id", sa.Uuid, nullable=False),
            sa.Column("family_id", sa.Uuid, nullable=False),
            sa.Column("deleted", sa.Boolean, nullable=False, server_default="false"),
            sa.Column("version", sa.Integer, nullable=False),
        )
    op.create_table(
        "directory_organisations",
        sa.Column("organisation_id", sa.Uuid, primary_key=True),
        sa.Column("time_zone", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    for name in ("directory_organisations", "directory_parents", "directory_children", "reservations", "credits"):
        op.drop_table(name)
