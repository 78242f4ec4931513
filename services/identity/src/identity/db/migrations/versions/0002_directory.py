"""Directory: locations, groups, staff (+ groups), families, parents, children, placements, consents."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Creation order respects foreign keys; downgrade drops in reverse.
TABLES = ["locations", "groups", "staff", "staff_groups", "families", "parents", "children", "placements",
          "consent_kinds", "consents"]


def _record(table: str) -> list:
    return [
        sa.Column("organisation_id", sa.Uuid, sa.ForeignKey("organisations.organisation_id"), nullable=False),
        sa.Column("external_id", sa.Text),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("organisation_id", "external_id", name=f"{table}_external_id_key"),
    ]


def _index(table: str, column: str) -> None:
    op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade() -> None:
    op.create_table(
        "locations",
        sa.Column("location_id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("street", sa.Text),
        sa.Column("house_number", sa.Text),
        sa.Column("postal_code", sa.Text),
        sa.Column("city", sa.Text),
        sa.Column("country", sa.Text, nullable=False, server_default="NL"),
        sa.Column("phone", sa.Text),
        sa.Column("email", sa.Text),
        *_record("locations"),
    )
    op.create_table(
        "groups",
        sa.Column("group_id", sa.Uuid, primary_key=True),
        sa.Column("location_id", sa.Uuid, sa.ForeignKey("locations.location_id"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("care_type", sa.Text),
        *_record("groups"),
    )
    op.create_table(
        "staff",
        sa.Column("staff_id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("email", sa.Text),
        sa.Column("photo_key", sa.Text),
        sa.Column("bio", sa.Text),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("language", sa.Text, nullable=False, server_default="nl"),
        *_record("staff"),
    )
    op.create_table(
        "staff_groups",
        sa.Column("staff_id", sa.Uuid, sa.ForeignKey("staff.staff_id"), nullable=False),
        sa.Column("group_id", sa.Uuid, sa.ForeignKey("groups.group_id"), nullable=False),
        sa.PrimaryKeyConstraint("staff_id", "group_id"),
    )
    op.create_table(
        "families",
        sa.Column("family_id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        *_record("families"),
    )
    op.create_table(
        "parents",
        sa.Column("parent_id", sa.Uuid, primary_key=True),
        sa.Column("family_id", sa.Uuid, sa.ForeignKey("families.family_id"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("phone", sa.Text),
        sa.Column("language", sa.Text, nullable=False, server_default="nl"),
        sa.Column("role", sa.Text, nullable=False, server_default="parent"),
        *_record("parents"),
        sa.CheckConstraint("role = 'parent'", name="parents_role_check"),
        sa.CheckConstraint("language IN ('nl', 'en')", name="parents_language_check"),
    )
    op.create_table(
        "children",
        sa.Column("child_id", sa.Uuid, primary_key=True),
        sa.Column("family_id", sa.Uuid, sa.ForeignKey("families.family_id"), nullable=False),
        sa.Column("first_name", sa.Text, nullable=False),
        sa.Column("last_name", sa.Text, nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("mentor_staff_id", sa.Uuid, sa.ForeignKey("staff.staff_id")),
        *_record("children"),
    )
    op.create_table(
        "placements",
        sa.Column("placement_id", sa.Uuid, primary_key=True),
        sa.Column("child_id", sa.Uuid, sa.ForeignKey("children.child_id"), nullable=False),
        sa.Column("group_id", sa.Uuid, sa.ForeignKey("groups.group_id"), nullable=False),
        sa.Column("care_type", sa.Text, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("weekly_pattern", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        *_record("placements"),
        sa.CheckConstraint("care_type IN ('day_care', 'after_school', 'toddler')",
                           name="placements_care_type_check"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="placements_period_check"),
    )
    op.create_table(
        "consent_kinds",
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("label_nl", sa.Text, nullable=False),
        sa.Column("label_en", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        *_record("consent_kinds"),
        sa.PrimaryKeyConstraint("organisation_id", "key"),
        sa.CheckConstraint("kind IN ('consent', 'declaration')", name="consent_kinds_kind_check"),
    )
    op.create_table(
        "consents",
        sa.Column("child_id", sa.Uuid, sa.ForeignKey("children.child_id"), nullable=False),
        sa.Column("kind_key", sa.Text, nullable=False),
        sa.Column("granted", sa.Boolean, nullable=False),
        sa.Column("changed_by", sa.Text),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        *_record("consents"),
        sa.PrimaryKeyConstraint("child_id", "kind_key"),
        sa.ForeignKeyConstraint(["organisation_id", "kind_key"],
                                ["consent_kinds.organisation_id", "consent_kinds.key"]),
    )
    # Tenant lists and family look-ups; ERP ids are covered by the (organisation_id, external_id) unique indexes.
    for table in TABLES:
        if table != "staff_groups":
            _index(table, "organisation_id")
    for table, column in [("groups", "location_id"), ("staff_groups", "group_id"), ("parents", "family_id"),
                          ("children", "family_id"), ("children", "mentor_staff_id"), ("placements", "child_id"),
                          ("placements", "group_id")]:
        _index(table, column)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
