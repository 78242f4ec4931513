"""A family's children by index: every inbox read (and the badge) of a parent asks for them once."""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX children_family ON children (family_id)")


def downgrade() -> None:
    op.execute("DROP INDEX children_family")
