"""Directory tables: locations, groups, staff, families, parents, children, placements, consents."""

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from identity.db.models import metadata


def _record_columns() -> list[Column]:
    """What every directory record carries: tenant, ERP id, version and last change."""
    return [
        Column("organisation_id", Uuid, ForeignKey("organisations.organisation_id"), nullable=False, index=True),
        Column("external_id", Text),
        Column("version", Integer, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


def _external_id_unique(table: str) -> UniqueConstraint:
    # NULLs never collide in PostgreSQL, so records without an ERP id need no exception here.
    return UniqueConstraint("organisation_id", "external_id", name=f"{table}_external_id_key")


locations = Table(
    "locations", metadata,
    Column("location_id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("street", Text),
    Column("house_number", Text),
    Column("postal_code", Text),
    Column("city", Text),
    Column("country", Text, nullable=False, server_default="NL"),
    Column("phone", Text),
    Column("email", Text),
    *_record_columns(),
    _external_id_unique("locations"),
)

groups = Table(
    "groups", metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("location_id", Uuid, ForeignKey("locations.location_id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("care_type", Text),
    *_record_columns(),
    _external_id_unique("groups"),
)

staff = Table(
    "staff", metadata,
    Column("staff_id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("email", Text),
    Column("photo_key", Text),
    Column("bio", Text),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("is_admin", Boolean, nullable=False, server_default=text("false")),
    Column("language", Text, nullable=False, server_default="nl"),
    *_record_columns(),
    _external_id_unique("staff"),
)

staff_groups = Table(
    "staff_groups", metadata,
    Column("staff_id", Uuid, ForeignKey("staff.staff_id"), nullable=False),
    Column("group_id", Uuid, ForeignKey("groups.group_id"), nullable=False, index=True),
    PrimaryKeyConstraint("staff_id", "group_id"),
)

families = Table(
    "families", metadata,
    Column("family_id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    *_record_columns(),
    _external_id_unique("families"),
)

parents = Table(
    "parents", metadata,
    Column("parent_id", Uuid, primary_key=True),  # = the person's account id
    Column("family_id", Uuid, ForeignKey("families.family_id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("phone", Text),
    Column("language", Text, nullable=False, server_default="nl"),
    Column("role", Text, nullable=False, server_default="parent"),
    *_record_columns(),
    _external_id_unique("parents"),
    CheckConstraint("role = 'parent'", name="parents_role_check"),
    CheckConstraint("language IN ('nl', 'en')", name="parents_language_check"),
)

children = Table(
    "children", metadata,
    Column("child_id", Uuid, primary_key=True),
    Column("family_id", Uuid, ForeignKey("families.family_id"), nullable=False, index=True),
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("mentor_staff_id", Uuid, ForeignKey("staff.staff_id"), index=True),
    *_record_columns(),
    _external_id_unique("children"),
)

placements = Table(
    "placements", metadata,
    Column("placement_id", Uuid, primary_key=True),
    Column("child_id", Uuid, ForeignKey("children.child_id"), nullable=False, index=True),
    Column("group_id", Uuid, ForeignKey("groups.group_id"), nullable=False, index=True),
    Column("care_type", Text, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date),
    Column("weekly_pattern", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    *_record_columns(),
    _external_id_unique("placements"),
    CheckConstraint("care_type IN ('day_care', 'after_school', 'toddler')", name="placements_care_type_check"),
    CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="placements_period_check"),
)

consent_kinds = Table(
    "consent_kinds", metadata,
    Column("key", Text, nullable=False),
    Column("label_nl", Text, nullable=False),
    Column("label_en", Text, nullable=False),
    Column("kind", Text, nullable=False),
    *_record_columns(),
    PrimaryKeyConstraint("organisation_id", "key"),
    _external_id_unique("consent_kinds"),
    CheckConstraint("kind IN ('consent', 'declaration')", name="consent_kinds_kind_check"),
)

consents = Table(
    "consents", metadata,
    Column("child_id", Uuid, ForeignKey("children.child_id"), nullable=False),
    Column("kind_key", Text, nullable=False),
    Column("granted", Boolean, nullable=False),
    Column("changed_by", Text),  # the actor id as forwarded (an account id, or an ERP's name)
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    *_record_columns(),
    PrimaryKeyConstraint("child_id", "kind_key"),
    ForeignKeyConstraint(["organisation_id", "kind_key"], ["consent_kinds.organisation_id", "consent_kinds.key"]),
    _external_id_unique("consents"),
)
