"""My location tables: directory read models for who-sees-what, published items, observations, media settings."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    Table,
    Text,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from timeline.db.models import metadata


def _read_model() -> list[Column]:
    return [
        Column("organisation_id", Uuid, nullable=False),
        Column("version", Integer, nullable=False),
        Column("deleted", Boolean, nullable=False, server_default="false"),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


# -- directory read models (fed by identity.directory.v1) -------------------------------------------------
loc_locations = Table(
    "loc_locations", metadata,
    Column("location_id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("street", Text), Column("house_number", Text), Column("postal_code", Text), Column("city", Text),
    Column("country", Text), Column("phone", Text), Column("email", Text),
    *_read_model(),
)
loc_groups = Table(
    "loc_groups", metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("location_id", Uuid, nullable=False),
    Column("name", Text, nullable=False),
    *_read_model(),
)
loc_staff = Table(
    "loc_staff", metadata,
    Column("staff_id", Uuid, primary_key=True),
    Column("account_id", Uuid),
    Column("name", Text, nullable=False),
    Column("group_ids", ARRAY(Uuid), nullable=False),
    Column("bio", Text),
    Column("photo_key", Text),
    Column("active", Boolean, nullable=False),
    *_read_model(),
)
loc_parents = Table(
    "loc_parents", metadata,
    Column("account_id", Uuid, primary_key=True),
    Column("family_id", Uuid, nullable=False),
    *_read_model(),
)
loc_children = Table(
    "loc_children", metadata,
    Column("child_id", Uuid, primary_key=True),
    Column("family_id", Uuid, nullable=False),
    Column("first_name", Text, nullable=False),
    *_read_model(),
)
loc_placements = Table(
    "loc_placements", metadata,
    Column("placement_id", Uuid, primary_key=True),
    Column("child_id", Uuid, nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("group_id", Uuid, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date),
    *_read_model(),
)

# -- published items: news, newsletters, info pages ------------------------------------------------------
location_items = Table(
    "location_items", metadata,
    Column("item_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),  # news | newsletter | info_page
    Column("title", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("audience", Text, nullable=False),  # organisation | location | group
    Column("audience_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),  # draft | published | withdrawn
    Column("author_account_id", Text, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("withdrawn_at", DateTime(timezone=True)),
)
location_item_attachments = Table(
    "location_item_attachments", metadata,
    Column("attachment_id", Uuid, primary_key=True),
    Column("item_id", Uuid, nullable=False),
    Column("organisation_id", Uuid, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("content_type", Text),  # decided from the bytes when the upload is confirmed
    Column("size_bytes", BigInteger),
    Column("media_base", Text, nullable=False),  # <organisation>/location/<random>: the objects under it
    Column("status", Text, nullable=False),  # pending (presigned, not confirmed) | ready
    Column("upload_expires_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# -- observations ------------------------------------------------------------------------------------------
observation_templates = Table(
    "observation_templates", metadata,
    Column("template_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("title", Text, nullable=False),
    Column("questions", JSONB, nullable=False),  # [{"question_id": str, "text": str}]
    Column("active", Boolean, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
observations = Table(
    "observations", metadata,
    Column("observation_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("location_id", Uuid, nullable=False),
    Column("child_id", Uuid, nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("template_id", Uuid, nullable=False),
    Column("form_title", Text, nullable=False),
    Column("answers", JSONB, nullable=False),  # [{"question_id", "question", "answer"}]: the form as filled in
    Column("author_staff_id", Text, nullable=False),
    Column("shared_at", DateTime(timezone=True), nullable=False),
)
observation_attachments = Table(
    "observation_attachments", metadata,
    Column("observation_id", Uuid, primary_key=True),  # one attachment per observation
    Column("organisation_id", Uuid, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("content_type", Text),
    Column("size_bytes", BigInteger),
    Column("media_base", Text, nullable=False),
    Column("status", Text, nullable=False),  # pending | ready
    Column("upload_expires_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# -- per-organisation media settings (read by photos/videos too) --------------------------------------------
media_settings = Table(
    "media_settings", metadata,
    Column("organisation_id", Uuid, primary_key=True),
    Column("downloads_allowed", Boolean, nullable=False),
    Column("videos_enabled", Boolean, nullable=False),
    Column("photo_retention_months", Integer),  # None: kept as long as the organisation exists
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
retention_runs = Table(
    "retention_runs", metadata,
    Column("day", Date, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("deleted_media", Integer, nullable=False),
)
