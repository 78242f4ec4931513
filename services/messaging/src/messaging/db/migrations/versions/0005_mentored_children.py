"""A staff member's mentored children by index: every staff conversation list and conversation asks for them."""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX directory_children_mentor ON directory_children (mentor_staff_id) "
               "WHERE mentor_staff_id IS NOT NULL")


def downgrade() -> None:
    op.execute("DROP INDEX directory_children_mentor")
