"""A group's photo series newest first (staff's listing): an index in that order."""

from alembic import op

revision = "0006_series_by_group"
down_revision = "0005_location_drafts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_photo_series_group", "photo_series", ["group_id", "posted_at", "series_id"])


def downgrade() -> None:
    op.drop_index("ix_photo_series_group", "photo_series")
