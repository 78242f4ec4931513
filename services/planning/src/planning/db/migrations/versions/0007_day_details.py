"""The agenda read model's day details: each stored agenda day as a child's day detail answer writes it.

Kept with the family's agenda days (same builds, same versions in `agenda_families`, same triggers): a detail is
used only while the family's days are.
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `detail`: the answer up to its last value, the moment it was made, which each read adds.
    op.execute("""
CREATE TABLE agenda_day_details (
    child_id uuid NOT NULL,
    date date NOT NULL,
    family_id uuid NOT NULL,
    detail text NOT NULL,
    PRIMARY KEY (child_id, date)
)""")
    op.execute("CREATE INDEX ix_agenda_day_details_family ON agenda_day_details (family_id)")
    # Families built before this table have no details: the builder computes them all again.
    op.execute("UPDATE agenda_families SET built = 0")


def downgrade() -> None:
    op.execute("DROP TABLE agenda_day_details")
