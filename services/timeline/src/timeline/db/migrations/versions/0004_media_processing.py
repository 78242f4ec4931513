"""Media processing as a consumer step: each confirmed upload is processing, ready or failed (with why)."""

import sqlalchemy as sa
from alembic import op

revision = "0004_media_processing"
down_revision = "0003_photos"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("timeline_media", sa.Column("processing", sa.Text))
    op.add_column("timeline_media", sa.Column("failure_code", sa.Text))
    op.add_column("timeline_media", sa.Column("failure_message", sa.Text))
    # Everything confirmed so far was processed inside the confirm request.
    op.execute("UPDATE timeline_media SET processing = 'ready' WHERE kind IS NOT NULL")
    op.create_check_constraint("timeline_media_processing", "timeline_media",
                               "processing IS NULL OR processing IN ('processing', 'ready', 'failed')")


def downgrade() -> None:
    op.drop_constraint("timeline_media_processing", "timeline_media")
    for column in ("failure_message", "failure_code", "processing"):
        op.drop_column("timeline_media", column)
