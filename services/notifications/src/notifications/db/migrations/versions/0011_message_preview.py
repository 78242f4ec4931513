"""A parent's choice to see the start of a message in its push and e-mail (off until they turn it on)."""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("account_settings", sa.Column("message_preview", sa.Boolean, nullable=False,
                                                server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("account_settings", "message_preview")
