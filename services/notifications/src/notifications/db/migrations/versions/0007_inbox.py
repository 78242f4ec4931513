"""The in-app inbox, and the placements and groups read models that say which parents a post reaches."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "placements",
        sa.Column("placement_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("child_id", sa.Uuid, nullable=False),
        sa.Column("family_id", sa.Uuid, nullable=False),
        sa.Column("group_id", sa.Uuid, nullable=False),
        sa.Column("location_id", sa.Uuid),
        sa.Column("ends_on", sa.Date),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_placements_child_id", "placements", ["child_id"])
    op.create_index("ix_placements_group_id", "placements", ["group_id"])
    op.create_table(
        "groups",
        sa.Column("group_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("location_id", sa.Uuid, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_groups_location_id", "groups", ["location_id"])
    op.execute("CREATE SEQUENCE inbox_seq")
    op.create_table(
        "inbox_items",
        sa.Column("item_id", sa.Uuid, primary_key=True),
        sa.Column("seq", sa.BigInteger, nullable=False, unique=True),
        sa.Column("account_id", sa.Uuid, nullable=False),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("subject_id", sa.Uuid, nullable=False),
        sa.Column("child_ids", sa.ARRAY(sa.Uuid), nullable=False),
        sa.Column("params", JSONB, nullable=False),
        sa.Column("link", sa.Text, nullable=False),
        sa.Column("count", sa.Integer, nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True)),
    )
    op.create_index("inbox_items_account_seq", "inbox_items", ["account_id", sa.text("seq DESC")])
    op.create_index("inbox_items_unread_subject", "inbox_items", ["account_id", "kind", "subject_id"], unique=True,
                    postgresql_where=sa.text("read_at IS NULL"))


def downgrade() -> None:
    op.drop_table("inbox_items")
    op.execute("DROP SEQUENCE inbox_seq")
    op.drop_table("groups")
    op.drop_table("placements")
