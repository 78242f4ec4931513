"""The agenda read model: each family's days computed ahead, kept valid by triggers on everything they are made of.

`agenda_days` holds a family's days (without pending requests) as the answer writes them, for a span around today.
`agenda_families.changed` moves with every change to one of the family's inputs (its children, their placements
and care changes) and `agenda_organisations.changed` with every change to an organisation's (closing days,
settings, day parts, groups, locations); the builder (planning.agenda_builder) records the versions it computed
from. The days are used only while both still match, so a change is never hidden: until the builder has caught
up, the agenda is computed as before. Triggers, not the write paths, move the versions, so no writer can forget.
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# The organisation-wide inputs (each has the organisation's id).
ORGANISATION_INPUTS = ("closing_days", "organisation_settings", "day_parts", "directory_groups",
                       "directory_locations", "directory_organisations")
# The family's own inputs that name the family themselves.
FAMILY_INPUTS = ("directory_children", "directory_placements")


# The tables, and the functions the triggers run (one statement each: the driver prepares them one by one).
SCHEMA = (
    """
CREATE TABLE agenda_families (
    family_id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL,
    changed bigint NOT NULL DEFAULT 1,
    built bigint NOT NULL DEFAULT 0,
    built_organisation bigint NOT NULL DEFAULT 0,
    built_from date,
    built_to date,
    built_at timestamptz
)""",
    """
CREATE TABLE agenda_organisations (
    organisation_id uuid PRIMARY KEY,
    changed bigint NOT NULL DEFAULT 1
)""",
    """
CREATE TABLE agenda_days (
    family_id uuid NOT NULL,
    date date NOT NULL,
    position smallint NOT NULL,
    day text NOT NULL,
    PRIMARY KEY (family_id, date, position)
)""",
    """
CREATE FUNCTION agenda_family_changed(family uuid, organisation uuid) RETURNS void LANGUAGE sql AS $$
    INSERT INTO agenda_families (family_id, organisation_id) VALUES (family, organisation)
    ON CONFLICT (family_id) DO UPDATE
    SET changed = agenda_families.changed + 1, organisation_id = excluded.organisation_id
$$""",
    """
CREATE FUNCTION agenda_organisation_changed(organisation uuid) RETURNS void LANGUAGE sql AS $$
    INSERT INTO agenda_organisations (organisation_id) VALUES (organisation)
    ON CONFLICT (organisation_id) DO UPDATE SET changed = agenda_organisations.changed + 1
$$""",
    """
-- A row of directory_children or directory_placements: its family (before and after) changed.
CREATE FUNCTION agenda_family_input() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM agenda_family_changed(OLD.family_id, OLD.organisation_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (NEW.family_id, NEW.organisation_id)
                                                 IS DISTINCT FROM (OLD.family_id, OLD.organisation_id)) THEN
        PERFORM agenda_family_changed(NEW.family_id, NEW.organisation_id);
    END IF;
    RETURN NULL;
END $$""",
    """
-- A care change: the family its child belongs to changed (a child the directory does not know has no agenda).
CREATE FUNCTION agenda_care_change_input() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM agenda_family_changed(c.family_id, c.organisation_id)
        FROM directory_children c WHERE c.child_id = OLD.child_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.child_id IS DISTINCT FROM OLD.child_id) THEN
        PERFORM agenda_family_changed(c.family_id, c.organisation_id)
        FROM directory_children c WHERE c.child_id = NEW.child_id;
    END IF;
    RETURN NULL;
END $$""",
    """
-- An organisation-wide input: every family of the organisation changed (one row, not one per family).
CREATE FUNCTION agenda_organisation_input() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM agenda_organisation_changed(OLD.organisation_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.organisation_id IS DISTINCT FROM OLD.organisation_id) THEN
        PERFORM agenda_organisation_changed(NEW.organisation_id);
    END IF;
    RETURN NULL;
END $$""",
)


def upgrade() -> None:
    for statement in SCHEMA:
        op.execute(statement)
    # Updates that change nothing (a redelivered directory event) leave the days valid.
    for table in FAMILY_INPUTS:
        _triggers(table, "agenda_family_input")
    _triggers("care_changes", "agenda_care_change_input")
    for table in ORGANISATION_INPUTS:
        _triggers(table, "agenda_organisation_input")
    # Families that have children now: the builder computes their days first.
    op.execute("INSERT INTO agenda_families (family_id, organisation_id) "
               "SELECT DISTINCT family_id, organisation_id FROM directory_children ON CONFLICT DO NOTHING")


def _triggers(table: str, function: str) -> None:
    op.execute(f"CREATE TRIGGER agenda_{table}_written AFTER INSERT OR DELETE ON {table} "
               f"FOR EACH ROW EXECUTE FUNCTION {function}()")
    op.execute(f"CREATE TRIGGER agenda_{table}_updated AFTER UPDATE ON {table} FOR EACH ROW "
               f"WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION {function}()")


def downgrade() -> None:
    for table in (*FAMILY_INPUTS, "care_changes", *ORGANISATION_INPUTS):
        op.execute(f"DROP TRIGGER agenda_{table}_written ON {table}")
        op.execute(f"DROP TRIGGER agenda_{table}_updated ON {table}")
    for statement in ("DROP FUNCTION agenda_organisation_input()", "DROP FUNCTION agenda_care_change_input()",
                      "DROP FUNCTION agenda_family_input()", "DROP FUNCTION agenda_organisation_changed(uuid)",
                      "DROP FUNCTION agenda_family_changed(uuid, uuid)", "DROP TABLE agenda_days",
                      "DROP TABLE agenda_organisations", "DROP TABLE agenda_families"):
        op.execute(statement)
