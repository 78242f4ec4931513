"""Pruning: find old idempotency keys and uploads never confirmed without scanning their tables."""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX sent_requests_created ON sent_requests (created_at)")
    op.execute("CREATE INDEX message_attachments_pending ON message_attachments (upload_expires_at) "
               "WHERE status = 'pending'")


def downgrade() -> None:
    op.execute("DROP INDEX message_attachments_pending")
    op.execute("DROP INDEX sent_requests_created")
