"""A family's photo keys read from the index alone: the feed walks them newest first and stops at the page.

`ix_photo_tags_family` (family, posted_at, series) becomes `ix_photo_tags_family_keys`, the same keys with the
tag's child included. The feed's keys also filter on the child (a child's timeline), so without the child in the
index PostgreSQL fetched every tag of the family from the table and sorted them, for a family with a year of
photos 363 tags to show 20 series; with it the walk is an index-only scan, backwards, that stops once the page
is full (bench/PROFILE-read-paths.md, round 16).
"""

from alembic import op

revision = "0008_family_tag_keys"
down_revision = "0007_children_by_family"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_photo_tags_family_keys ON photo_tags (family_id, posted_at, series_id) "
               "INCLUDE (child_id)")
    op.drop_index("ix_photo_tags_family", "photo_tags")


def downgrade() -> None:
    op.create_index("ix_photo_tags_family", "photo_tags", ["family_id", "posted_at", "series_id"])
    op.drop_index("ix_photo_tags_family_keys", "photo_tags")
