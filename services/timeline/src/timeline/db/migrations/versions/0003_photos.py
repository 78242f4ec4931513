"""Photos, videos and diary: uploaded media, series and tags, photo consent read model, diary, feed marks."""

import sqlalchemy as sa
from alembic import op

revision = "0003_photos"
down_revision = "0002_location"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "timeline_media",
        sa.Column("media_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("media_base", sa.Text, nullable=False, unique=True),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("uploaded_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("upload_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.Text),
        sa.Column("original_type", sa.Text),
        sa.Column("size_bytes", sa.BigInteger),
        sa.Column("width", sa.Integer),
        sa.Column("height", sa.Integer),
        sa.Column("duration_seconds", sa.Float),
        sa.CheckConstraint("status IN ('pending', 'attached')", name="timeline_media_status"),
    )
    op.create_index("ix_timeline_media_unattached", "timeline_media", ["upload_expires_at"],
                    postgresql_where=sa.text("status <> 'attached'"))
    op.create_table(
        "photo_consents",
        sa.Column("child_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "photo_series",
        sa.Column("series_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("location_id", sa.Uuid, nullable=False),
        sa.Column("group_id", sa.Uuid, nullable=False),
        sa.Column("caption", sa.Text),
        sa.Column("posted_by_staff_id", sa.Uuid, nullable=False),
        sa.Column("downloadable", sa.Boolean),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "photos",
        sa.Column("photo_id", sa.Uuid, primary_key=True),
        sa.Column("series_id", sa.Uuid, nullable=False),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("media_id", sa.Uuid, nullable=False, unique=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_photos_series", "photos", ["series_id", "position"])
    op.create_table(
        "photo_tags",
        sa.Column("photo_id", sa.Uuid, nullable=False),
        sa.Column("child_id", sa.Uuid, nullable=False),
        sa.Column("family_id", sa.Uuid, nullable=False),
        sa.Column("series_id", sa.Uuid, nullable=False),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("photo_id", "child_id"),
    )
    op.create_index("ix_photo_tags_family", "photo_tags", ["family_id", "posted_at", "series_id"])
    op.create_index("ix_photo_tags_child", "photo_tags", ["child_id", "posted_at", "series_id"])
    op.create_table(
        "diary_entries",
        sa.Column("entry_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("child_id", sa.Uuid, nullable=False),
        sa.Column("family_id", sa.Uuid, nullable=False),
        sa.Column("author_account_id", sa.Text, nullable=False),
        sa.Column("author_role", sa.Text, nullable=False),
        sa.Column("author_name", sa.Text),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_diary_entries_family", "diary_entries", ["family_id", "created_at", "entry_id"])
    op.create_index("ix_diary_entries_child", "diary_entries", ["child_id", "created_at", "entry_id"])
    op.create_table(
        "diary_media",
        sa.Column("entry_id", sa.Uuid, nullable=False),
        sa.Column("media_id", sa.Uuid, nullable=False, unique=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "position"),
    )
    op.create_table(
        "feed_marks",
        sa.Column("account_id", sa.Text, primary_key=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in ("feed_marks", "diary_media", "diary_entries", "photo_tags", "photos", "photo_series",
                  "photo_consents", "timeline_media"):
        op.drop_table(table)
