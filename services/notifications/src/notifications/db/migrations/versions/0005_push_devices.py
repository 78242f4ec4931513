"""Push devices (FCM registration tokens per account and session)."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "push_devices",
        sa.Column("device_id", sa.Uuid, nullable=False),
        sa.Column("token", sa.Text, nullable=False),
        sa.Column("account_id", sa.Uuid, nullable=False),
        sa.Column("session_id", sa.Uuid),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("token", "account_id"),
    )
    op.create_index("push_devices_device_id", "push_devices", ["device_id"], unique=True)
    op.create_index("push_devices_account", "push_devices", ["account_id"])
    op.create_index("push_devices_session", "push_devices", ["session_id"])


def downgrade() -> None:
    op.drop_table("push_devices")
