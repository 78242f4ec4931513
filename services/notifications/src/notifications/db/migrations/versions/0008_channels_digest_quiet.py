"""Per-kind e-mail mode and in-app switch, account-level time zone / digest time / quiet hours, digest items,
and collapsible push deliveries (bursts and quiet-hours summaries merge into one pending row)."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("preferences", sa.Column("email_mode", sa.Text))
    op.add_column("preferences", sa.Column("in_app", sa.Boolean))
    op.create_table(
        "account_settings",
        sa.Column("account_id", sa.Uuid, primary_key=True),
        sa.Column("time_zone", sa.Text, nullable=False),
        sa.Column("digest_at", sa.Time, nullable=False),
        sa.Column("quiet_start", sa.Time),
        sa.Column("quiet_end", sa.Time),
        sa.Column("last_digest_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "digest_items",
        sa.Column("digest_item_id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("account_id", sa.Uuid, nullable=False),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("child_ids", sa.ARRAY(sa.Uuid), nullable=False),
        sa.Column("params", JSONB, nullable=False),
        sa.Column("link", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digest_id", sa.Uuid),
    )
    op.create_index("digest_items_waiting", "digest_items", ["account_id", "created_at"],
                    postgresql_where=sa.text("digest_id IS NULL"))
    op.add_column("deliveries", sa.Column("collapse_key", sa.Text))
    op.add_column("deliveries", sa.Column("collapsed_count", sa.Integer, nullable=False, server_default="1"))
    op.create_index("deliveries_collapsing", "deliveries", ["recipient", "collapse_key"], unique=True,
                    postgresql_where=sa.text("status = 'pending' AND collapse_key IS NOT NULL"))


def downgrade() -> None:
    op.drop_index("deliveries_collapsing", "deliveries")
    op.drop_column("deliveries", "collapsed_count")
    op.drop_column("deliveries", "collapse_key")
    op.drop_table("digest_items")
    op.drop_table("account_settings")
    op.drop_column("preferences", "in_app")
    op.drop_column("preferences", "email_mode")
