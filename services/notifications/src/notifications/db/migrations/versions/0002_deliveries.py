"""Mail queue / delivery log (`deliveries`) and the recipients read model (`recipients`)."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("delivery_id", sa.Uuid, primary_key=True),
        sa.Column("event_id", sa.Uuid, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("channel", sa.Text, nullable=False, server_default="email"),
        sa.Column("organisation_id", sa.Uuid),
        sa.Column("account_id", sa.Uuid),
        sa.Column("recipient", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body_text", sa.Text, nullable=False),
        sa.Column("body_html", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("event_id", "recipient", "channel", name="deliveries_event_recipient_channel"),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name="deliveries_status"),
    )
    op.create_index("deliveries_due", "deliveries", ["next_attempt_at"], postgresql_where=sa.text("status = 'pending'"))
    op.create_index("deliveries_recipient", "deliveries", [sa.text("lower(recipient)"), "created_at"])
    op.create_table(
        "recipients",
        sa.Column("account_id", sa.Uuid, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("family_id", sa.Uuid),
        sa.Column("email", sa.Text),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("account_id", "role"),
        sa.CheckConstraint("role IN ('parent', 'staff')", name="recipients_role"),
    )
    op.create_index("recipients_family", "recipients", ["family_id"])


def downgrade() -> None:
    op.drop_table("recipients")
    op.drop_table("deliveries")
