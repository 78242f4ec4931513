"""An organisation's reference data (time zone, settings, closing days, day parts) has a version that changes with it.

The screens that need an organisation's calendar and day parts (availability, the request overview) read only
its version in their statement and keep the data itself in the process (`planning.db.reference`), read again
when the version they see is not the one they hold. Triggers give the organisation a new version in the same
transaction as any change to those tables, so a screen's statement never sees data newer than its version says.
A version is a random UUID, not a counter: two states of the data never share one, also across a database
restored from a backup or made again from nothing (a counter would start again at the same numbers).
Data changed with the triggers disabled (`session_replication_role = replica`) must be followed by
`UPDATE reference_versions SET version = gen_random_uuid()`.
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The tables an organisation's reference data is read from (each row names its organisation).
INPUTS = ("directory_organisations", "organisation_settings", "closing_days", "day_parts")

SCHEMA = (
    """
CREATE TABLE reference_versions (
    organisation_id uuid PRIMARY KEY,
    version uuid NOT NULL
)""",
    """
-- A new version for each organisation named (once each, in key order: two writers take the rows' locks in the same
-- order). An organisation with no row yet gets one.
CREATE FUNCTION reference_changed(organisations uuid[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    INSERT INTO reference_versions (organisation_id, version)
    SELECT o.organisation_id, gen_random_uuid()
    FROM (SELECT DISTINCT organisation_id FROM unnest(organisations) AS u(organisation_id)
          WHERE organisation_id IS NOT NULL) o
    ORDER BY o.organisation_id
    ON CONFLICT (organisation_id) DO UPDATE SET version = excluded.version;
END $$""",
    """
-- A table emptied at once (no row in a transition table): every organisation's data may have changed.
CREATE FUNCTION reference_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reference_versions SET version = gen_random_uuid();
    RETURN NULL;
END $$""",
    """
CREATE FUNCTION reference_input() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM reference_changed(array_agg(organisation_id)) FROM old_rows;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM reference_changed(array_agg(organisation_id)) FROM new_rows;
    END IF;
    RETURN NULL;
END $$""",
)


def upgrade() -> None:
    for statement in SCHEMA:
        op.execute(statement)
    for table in INPUTS:
        # Statement triggers over transition tables: a bulk load versions each organisation once, not per row.
        op.execute(f"CREATE TRIGGER reference_{table}_inserted AFTER INSERT ON {table} "
                   "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reference_input()")
        op.execute(f"CREATE TRIGGER reference_{table}_updated AFTER UPDATE ON {table} "
                   "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
                   "EXECUTE FUNCTION reference_input()")
        op.execute(f"CREATE TRIGGER reference_{table}_deleted AFTER DELETE ON {table} "
                   "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reference_input()")
        op.execute(f"CREATE TRIGGER reference_{table}_truncated AFTER TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION reference_truncated()")
    # Every organisation that has reference data already.
    known = " UNION ".join(f"SELECT organisation_id FROM {table}" for table in INPUTS)
    op.execute(f"INSERT INTO reference_versions (organisation_id, version) "
               f"SELECT organisation_id, gen_random_uuid() FROM ({known}) o")


def downgrade() -> None:
    for table in INPUTS:
        for event in ("inserted", "updated", "deleted", "truncated"):
            op.execute(f"DROP TRIGGER reference_{table}_{event} ON {table}")
    for statement in ("DROP FUNCTION reference_input()", "DROP FUNCTION reference_truncated()",
                      "DROP FUNCTION reference_changed(uuid[])", "DROP TABLE reference_versions"):
        op.execute(statement)
