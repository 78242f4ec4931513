"""A family's children by family: the feed and a child's timeline read the family's first names on every read.

Without it PostgreSQL scanned every child of every organisation for them: 0.32 ms of the feed's 0.58 ms on a
2,000-child organisation, growing with the organisations (bench/PROFILE-read-paths.md, round 13).
"""

from alembic import op

revision = "0007_children_by_family"
down_revision = "0006_series_by_group"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_loc_children_family_id", "loc_children", ["family_id"])


def downgrade() -> None:
    op.drop_index("ix_loc_children_family_id", "loc_children")
