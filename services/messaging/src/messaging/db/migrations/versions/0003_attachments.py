"""Attachments: presigned uploads of the sender, checked by the shared media pipeline before a message names them."""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
CREATE TABLE message_attachments (
    attachment_id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL,
    account_id uuid NOT NULL,
    file_name text NOT NULL,
    media_base text NOT NULL UNIQUE,
    status text NOT NULL DEFAULT 'pending',
    content_type text,
    size_bytes bigint,
    upload_expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT message_attachments_status CHECK (status IN ('pending', 'ready'))
)""")
    op.execute("CREATE INDEX message_attachments_account ON message_attachments (account_id)")
    # Finding a conversation's message that names an attachment (access check of a download).
    op.execute("CREATE INDEX messages_attachments ON messages USING gin (attachments jsonb_path_ops)")


def downgrade() -> None:
    op.execute("DROP INDEX messages_attachments")
    op.execute("DROP TABLE message_attachments")
