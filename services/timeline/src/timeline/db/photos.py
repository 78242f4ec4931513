"""Photo/video/diary tables: uploaded media, photo series with their tags, consent read model, diary, feed marks."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
)

from timeline.db.models import metadata

# One uploaded file (photo or video) of the timeline: presigned, then confirmed (processed), then attached to a
# photo series or a diary entry. Its objects live under `media_base` in S3.
timeline_media = Table(
    "timeline_media", metadata,
    Column("media_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("media_base", Text, nullable=False, unique=True),
    Column("status", Text, nullable=False),  # pending (kind set once confirmed) | attached
    Column("uploaded_by", Text, nullable=False),  # actor id of who asked for the upload
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("upload_expires_at", DateTime(timezone=True), nullable=False),
    Column("kind", Text),  # photo | video, decided from the bytes at confirmation
    # None until confirmed; then processing (queued for the consumer step) | ready | failed (failure_* say why).
    # Families see a photo only once it is ready.
    Column("processing", Text),
    Column("failure_code", Text),
    Column("failure_message", Text),
    Column("original_type", Text),
    Column("size_bytes", BigInteger),
    Column("width", Integer),
    Column("height", Integer),
    Column("duration_seconds", Float),
)

# Identity's photo-sharing consent per child (ConsentChanged / ChildUpserted.photo_consent); no row = not given.
photo_consents = Table(
    "photo_consents", metadata,
    Column("child_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

photo_series = Table(
    "photo_series", metadata,
    Column("series_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("location_id", Uuid, nullable=False),
    Column("group_id", Uuid, nullable=False),
    Column("caption", Text),
    Column("posted_by_staff_id", Uuid, nullable=False),
    Column("downloadable", Boolean),  # None: as the organisation's setting says
    Column("posted_at", DateTime(timezone=True), nullable=False),
)

photos = Table(
    "photos", metadata,
    Column("photo_id", Uuid, primary_key=True),
    Column("series_id", Uuid, nullable=False),
    Column("organisation_id", Uuid, nullable=False),
    Column("media_id", Uuid, nullable=False, unique=True),
    Column("position", Integer, nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False),
)

# Who is in a photo; the family is copied at posting so feeds filter on one indexed column.
photo_tags = Table(
    "photo_tags", metadata,
    Column("photo_id", Uuid, nullable=False),
    Column("child_id", Uuid, nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("series_id", Uuid, nullable=False),
    Column("organisation_id", Uuid, nullable=False),
    Column("posted_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("photo_id", "child_id"),
)

diary_entries = Table(
    "diary_entries", metadata,
    Column("entry_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("child_id", Uuid, nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("author_account_id", Text, nullable=False),
    Column("author_role", Text, nullable=False),  # parent | staff
    Column("author_name", Text),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

diary_media = Table(
    "diary_media", metadata,
    Column("entry_id", Uuid, nullable=False),
    Column("media_id", Uuid, nullable=False, unique=True),
    Column("position", Integer, nullable=False),
    PrimaryKeyConstraint("entry_id", "position"),
)

# "New since you last looked", per account.
feed_marks = Table(
    "feed_marks", metadata,
    Column("account_id", Text, primary_key=True),
    Column("seen_at", DateTime(timezone=True), nullable=False),
)
