"""My location items can be drafts: attachments are added before the item is published (and announced)."""

from alembic import op

revision = "0005_location_drafts"
down_revision = "0004_media_processing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_constraint("location_items_status", "location_items")
    op.create_check_constraint("location_items_status", "location_items",
                               "status IN ('draft', 'published', 'withdrawn')")


def downgrade() -> None:
    op.execute("UPDATE location_items SET status = 'withdrawn' WHERE status = 'draft'")
    op.drop_constraint("location_items_status", "location_items")
    op.create_check_constraint("location_items_status", "location_items", "status IN ('published', 'withdrawn')")
