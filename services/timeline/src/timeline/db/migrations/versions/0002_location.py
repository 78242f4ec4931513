"""My location: directory read models (loc_*), news/newsletters/info pages, observations, media settings, retention."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002_location"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ["loc_children", "loc_groups", "loc_locations", "loc_parents", "loc_placements", "loc_staff",
          "location_item_attachments", "location_items", "media_settings", "observation_attachments",
          "observation_templates", "observations", "retention_runs"]


def upgrade() -> None:
    op.create_table(
        "loc_children",
        sa.Column("child_id", sa.Uuid, primary_key=True),
        sa.Column("family_id", sa.Uuid, nullable=False),
        sa.Column("first_name", sa.Text, nullable=False),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "loc_groups",
        sa.Column("group_id", sa.Uuid, primary_key=True),
        sa.Column("location_id", sa.Uuid, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "loc_locations",
        sa.Column("location_id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("street", sa.Text),
        sa.Column("house_number", sa.Text),
        sa.Column("postal_code", sa.Text),
        sa.Column("city", sa.Text),
        sa.Column("country", sa.Text),
        sa.Column("phone", sa.Text),
        sa.Column("email", sa.Text),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "loc_parents",
        sa.Column("account_id", sa.Uuid, primary_key=True),
        sa.Column("family_id", sa.Uuid, nullable=False),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "loc_placements",
        sa.Column("placement_id", sa.Uuid, primary_key=True),
        sa.Column("child_id", sa.Uuid, nullable=False),
        sa.Column("family_id", sa.Uuid, nullable=False),
        sa.Column("group_id", sa.Uuid, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "loc_staff",
        sa.Column("staff_id", sa.Uuid, primary_key=True),
        sa.Column("account_id", sa.Uuid),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("group_ids", postgresql.ARRAY(sa.Uuid), nullable=False),
        sa.Column("bio", sa.Text),
        sa.Column("photo_key", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_table(
        "location_item_attachments",
        sa.Column("attachment_id", sa.Uuid, primary_key=True),
        sa.Column("item_id", sa.Uuid, nullable=False),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("content_type", sa.Text),
        sa.Column("size_bytes", sa.BigInteger),
        sa.Column("media_base", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("upload_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "location_items",
        sa.Column("item_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body_html", sa.Text, nullable=False),
        sa.Column("audience", sa.Text, nullable=False),
        sa.Column("audience_id", sa.Uuid, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("author_account_id", sa.Text, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "media_settings",
        sa.Column("organisation_id", sa.Uuid, primary_key=True),
        sa.Column("downloads_allowed", sa.Boolean, nullable=False),
        sa.Column("videos_enabled", sa.Boolean, nullable=False),
        sa.Column("photo_retention_months", sa.Integer),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "observation_attachments",
        sa.Column("observation_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("file_name", sa.Text, nullable=False),
        sa.Column("content_type", sa.Text),
        sa.Column("size_bytes", sa.BigInteger),
        sa.Column("media_base", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("upload_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "observation_templates",
        sa.Column("template_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("questions", postgresql.JSONB, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "observations",
        sa.Column("observation_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("location_id", sa.Uuid, nullable=False),
        sa.Column("child_id", sa.Uuid, nullable=False),
        sa.Column("family_id", sa.Uuid, nullable=False),
        sa.Column("template_id", sa.Uuid, nullable=False),
        sa.Column("form_title", sa.Text, nullable=False),
        sa.Column("answers", postgresql.JSONB, nullable=False),
        sa.Column("author_staff_id", sa.Text, nullable=False),
        sa.Column("shared_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "retention_runs",
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_media", sa.Integer, nullable=False),
    )
    op.create_index("ix_loc_parents_family_id", "loc_parents", ["family_id"])
    op.create_index("ix_loc_placements_family_id", "loc_placements", ["family_id"])
    op.create_index("ix_loc_placements_group_id", "loc_placements", ["group_id"])
    op.create_index("ix_location_items_org_kind", "location_items", ["organisation_id", "kind", "published_at"])
    op.create_index("ix_location_item_attachments_item", "location_item_attachments", ["item_id"])
    op.create_index("ix_observations_child", "observations", ["child_id", "shared_at"])
    op.create_check_constraint("location_items_kind", "location_items", "kind IN ('news', 'newsletter', 'info_page')")
    op.create_check_constraint("location_items_audience", "location_items",
                               "audience IN ('organisation', 'location', 'group')")
    op.create_check_constraint("location_items_status", "location_items", "status IN ('published', 'withdrawn')")
    op.create_index("ix_location_item_attachments_pending", "location_item_attachments", ["upload_expires_at"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_index("ix_observation_attachments_pending", "observation_attachments", ["upload_expires_at"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_check_constraint("media_settings_retention", "media_settings",
                               "photo_retention_months IS NULL OR photo_retention_months > 0")


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
