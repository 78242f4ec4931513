"""Calendar: directory read models, day parts, settings, closing days, school holidays, capacity, care changes."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ["directory_locations", "directory_groups", "directory_families", "directory_parents",
          "directory_children", "directory_placements", "day_parts", "organisation_settings", "closing_days",
          "school_holidays", "group_capacity", "care_changes"]


def _read_model() -> list:
    return [
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    ]


def _owned() -> list:
    return [
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    ]


def upgrade() -> None:
    op.create_table("directory_locations", sa.Column("location_id", sa.Uuid, primary_key=True),
                    sa.Column("name", sa.Text, nullable=False), *_read_model())
    op.create_table("directory_groups", sa.Column("group_id", sa.Uuid, primary_key=True),
                    sa.Column("location_id", sa.Uuid, nullable=False), sa.Column("name", sa.Text, nullable=False),
                    sa.Column("care_type", sa.Text), *_read_model())
    op.create_table("directory_families", sa.Column("family_id", sa.Uuid, primary_key=True),
                    sa.Column("name", sa.Text, nullable=False), *_read_model())
    op.create_table("directory_parents", sa.Column("account_id", sa.Uuid, primary_key=True),
                    sa.Column("family_id", sa.Uuid, nullable=False), sa.Column("name", sa.Text, nullable=False),
                    *_read_model())
    op.create_index("ix_directory_parents_family_id", "directory_parents", ["family_id"])
    op.create_table("directory_children", sa.Column("child_id", sa.Uuid, primary_key=True),
                    sa.Column("family_id", sa.Uuid, nullable=False),
                    sa.Column("first_name", sa.Text, nullable=False), sa.Column("last_name", sa.Text, nullable=False),
                    *_read_model())
    op.create_index("ix_directory_children_family_id", "directory_children", ["family_id"])
    op.create_table(
        "directory_placements",
        sa.Column("placement_id", sa.Uuid, primary_key=True),
        sa.Column("child_id", sa.Uuid, nullable=False),
        sa.Column("family_id", sa.Uuid, nullable=False),
        sa.Column("group_id", sa.Uuid, nullable=False),
        sa.Column("location_id", sa.Uuid),
        sa.Column("care_type", sa.Text, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date),
        sa.Column("weekly_pattern", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        *_read_model(),
    )
    op.create_index("ix_directory_placements_child_id", "directory_placements", ["child_id"])
    op.create_index("ix_directory_placements_group_id", "directory_placements", ["group_id"])
    op.create_table(
        "day_parts",
        sa.Column("day_part_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("care_type", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("starts_at", sa.Time, nullable=False),
        sa.Column("ends_at", sa.Time, nullable=False),
        sa.Column("price_per_hour", sa.Numeric(10, 2)),
        sa.Column("price_per_part", sa.Numeric(10, 2)),
        sa.Column("external_id", sa.Text),
        *_owned(),
        sa.CheckConstraint("ends_at > starts_at", name="day_parts_times"),
        sa.CheckConstraint("(price_per_hour IS NULL) <> (price_per_part IS NULL)", name="day_parts_one_price"),
    )
    op.create_index("ix_day_parts_organisation_id", "day_parts", ["organisation_id"])
    op.create_table(
        "organisation_settings",
        sa.Column("organisation_id", sa.Uuid, primary_key=True),
        sa.Column("open_weekdays", JSONB, nullable=False),
        sa.Column("cancel_window_hours", sa.Integer, nullable=False),
        sa.Column("staff_may_evaluate", sa.Boolean, nullable=False),
        *_owned(),
    )
    op.create_table(
        "closing_days",
        sa.Column("organisation_id", sa.Uuid, primary_key=True),
        sa.Column("date", sa.Date, primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
        *_owned(),
    )
    op.create_table(
        "school_holidays",
        sa.Column("holiday_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("starts_on", sa.Date, nullable=False),
        sa.Column("ends_on", sa.Date, nullable=False),
        *_owned(),
        sa.CheckConstraint("ends_on >= starts_on", name="school_holidays_period"),
    )
    op.create_index("ix_school_holidays_organisation_id", "school_holidays", ["organisation_id"])
    op.create_table(
        "group_capacity",
        sa.Column("group_id", sa.Uuid, primary_key=True),
        sa.Column("day_part_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        *_owned(),
        sa.CheckConstraint("capacity >= 0", name="group_capacity_not_negative"),
    )
    op.create_table(
        "care_changes",
        sa.Column("change_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False),
        sa.Column("child_id", sa.Uuid, nullable=False),
        sa.Column("group_id", sa.Uuid, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("day_part_id", sa.Uuid, nullable=False),
        sa.Column("delta", sa.SmallInteger, nullable=False),
        sa.Column("source_kind", sa.Text, nullable=False),
        sa.Column("source_id", sa.Uuid, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("delta IN (-1, 1)", name="care_changes_delta"),
        sa.CheckConstraint("source_kind IN ('extra_day', 'swap_give_up', 'swap_target', 'absence')",
                           name="care_changes_source_kind"),
    )
    op.create_index("ix_care_changes_child_date", "care_changes", ["child_id", "date"])
    op.create_index("ix_care_changes_group_date", "care_changes", ["group_id", "date", "day_part_id"])


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
