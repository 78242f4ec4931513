"""Mails a parent trusts: the organisations read model (sender name, Reply-To, logo) and per-delivery From name,
Reply-To and one-click unsubscribe URL."""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("sender_name", sa.Text))
    op.add_column("deliveries", sa.Column("reply_to", sa.Text))
    op.add_column("deliveries", sa.Column("unsubscribe_url", sa.Text))
    op.create_table(
        "organisations",
        sa.Column("organisation_id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
        sa.Column("logo_url", sa.Text),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("organisations")
    op.drop_column("deliveries", "unsubscribe_url")
    op.drop_column("deliveries", "reply_to")
    op.drop_column("deliveries", "sender_name")
