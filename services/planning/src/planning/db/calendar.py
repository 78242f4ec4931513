"""Calendar tables: directory read models, day parts, opening calendar, capacity and the schedule changes."""

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    Table,
    Text,
    Time,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from planning.db.models import metadata


def _read_model_columns() -> list[Column]:
    # Every read model keeps the highest version seen; deleted records stay as tombstones (a late, older
    # upsert must not bring them back) and are ignored by every query.
    return [
        Column("organisation_id", Uuid, nullable=False),
        Column("version", Integer, nullable=False),
        Column("deleted", Boolean, nullable=False, server_default=text("false")),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


def _owned_columns() -> list[Column]:
    # Records planning owns: version starts at 1 and moves only when the data changes.
    return [
        Column("version", Integer, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]


directory_locations = Table(
    "directory_locations", metadata,
    Column("location_id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    *_read_model_columns(),
)

directory_groups = Table(
    "directory_groups", metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("location_id", Uuid, nullable=False),
    Column("name", Text, nullable=False),
    Column("care_type", Text),
    *_read_model_columns(),
)

directory_families = Table(
    "directory_families", metadata,
    Column("family_id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    *_read_model_columns(),
)

directory_parents = Table(
    "directory_parents", metadata,
    Column("account_id", Uuid, primary_key=True),
    Column("family_id", Uuid, nullable=False, index=True),
    Column("name", Text, nullable=False),
    *_read_model_columns(),
)

directory_children = Table(
    "directory_children", metadata,
    Column("child_id", Uuid, primary_key=True),
    Column("family_id", Uuid, nullable=False, index=True),
    Column("first_name", Text, nullable=False),
    Column("last_name", Text, nullable=False),
    *_read_model_columns(),
)

directory_placements = Table(
    "directory_placements", metadata,
    Column("placement_id", Uuid, primary_key=True),
    Column("child_id", Uuid, nullable=False, index=True),
    Column("family_id", Uuid, nullable=False),
    Column("group_id", Uuid, nullable=False, index=True),
    Column("location_id", Uuid),
    Column("care_type", Text, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date),
    # As in the event: [{"weekday": 0, "day_part_ids": ["…"]}, …]
    Column("weekly_pattern", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    *_read_model_columns(),
)

day_parts = Table(
    "day_parts", metadata,
    Column("day_part_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False, index=True),
    Column("care_type", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("starts_at", Time, nullable=False),
    Column("ends_at", Time, nullable=False),
    Column("price_per_hour", Numeric(10, 2)),
    Column("price_per_part", Numeric(10, 2)),
    Column("external_id", Text),
    *_owned_columns(),
    CheckConstraint("ends_at > starts_at", name="day_parts_times"),
    CheckConstraint("(price_per_hour IS NULL) <> (price_per_part IS NULL)", name="day_parts_one_price"),
)

organisation_settings = Table(
    "organisation_settings", metadata,
    Column("organisation_id", Uuid, primary_key=True),
    Column("open_weekdays", JSONB, nullable=False),
    Column("cancel_window_hours", Integer, nullable=False),
    Column("staff_may_evaluate", Boolean, nullable=False),
    *_owned_columns(),
)

closing_days = Table(
    "closing_days", metadata,
    Column("organisation_id", Uuid, primary_key=True),
    Column("date", Date, primary_key=True),
    Column("reason", Text, nullable=False),
    *_owned_columns(),
)

school_holidays = Table(
    "school_holidays", metadata,
    Column("holiday_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    *_owned_columns(),
    CheckConstraint("ends_on >= starts_on", name="school_holidays_period"),
)

group_capacity = Table(
    "group_capacity", metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("day_part_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("capacity", Integer, nullable=False),
    *_owned_columns(),
    CheckConstraint("capacity >= 0", name="group_capacity_not_negative"),
)

# One row per day part added to (+1) or taken from (-1) a child's planned care on one date. Written by
# the requests module (accepted extra days and swaps, registered absences); `active=false` when undone.
care_changes = Table(
    "care_changes", metadata,
    Column("change_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("child_id", Uuid, nullable=False),
    Column("group_id", Uuid, nullable=False),
    Column("date", Date, nullable=False),
    Column("day_part_id", Uuid, nullable=False),
    Column("delta", SmallInteger, nullable=False),
    Column("source_kind", Text, nullable=False),
    Column("source_id", Uuid, nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("delta IN (-1, 1)", name="care_changes_delta"),
    CheckConstraint("source_kind IN ('extra_day', 'swap_give_up', 'swap_target', 'absence')",
                    name="care_changes_source_kind"),
    Index("ix_care_changes_child_date", "child_id", "date"),
    Index("ix_care_changes_group_date", "group_id", "date", "day_part_id"),
)
