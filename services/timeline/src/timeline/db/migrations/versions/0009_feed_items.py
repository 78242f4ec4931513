"""The feed read model: each family's newest items as the feed's statement finds them, stored ahead.

`feed_items` holds a family's newest `timeline.service_layer.feed_items.STORED` items (series it may see, diary
entries), each row as the live statement returns it, with the family's children it shows (a child's timeline
filters on them); `feed_built` says a family was built and whether those are all its items. A family's rows are
used only while no row of `feed_stale` names it. Triggers add those rows in the same transaction as a change to
anything a family's items are made of: a tag (every family tagged on that photo: the photo rule looks at the other
families' children), a consent (every family tagged on a photo with that child), a photo, a series, a medium's
processing, a diary entry or its media. Writers only ever insert them, so two writers never wait for each other
here; the builder (`timeline.feed_builder`) deletes the rows it has seen in the snapshot it builds from, so a change
committed after that snapshot leaves its row and the family is read live until built again.
Group names, the organisation's download setting, children's names and what the account has seen are not stored:
the read joins them live.
"""

from alembic import op

revision = "0009_feed_items"
down_revision = "0008_family_tag_keys"
branch_labels = None
depends_on = None

# Per input table: the families its changed rows (`changed`, a transition table) touch, as SQL.
TOUCHES = {
    "photo_tags": """SELECT family_id FROM changed
        UNION SELECT t.family_id FROM photo_tags t WHERE t.photo_id IN (SELECT photo_id FROM changed)""",
    "photo_consents": """SELECT t.family_id FROM photo_tags k JOIN photo_tags t ON t.photo_id = k.photo_id
        WHERE k.child_id IN (SELECT child_id FROM changed)""",
    "photos": "SELECT t.family_id FROM photo_tags t WHERE t.photo_id IN (SELECT photo_id FROM changed)",
    "photo_series": """SELECT t.family_id FROM photos p JOIN photo_tags t ON t.photo_id = p.photo_id
        WHERE p.series_id IN (SELECT series_id FROM changed)""",
    "timeline_media": """SELECT t.family_id FROM photos p JOIN photo_tags t ON t.photo_id = p.photo_id
        WHERE p.media_id IN (SELECT media_id FROM changed)
        UNION SELECT e.family_id FROM diary_media dm JOIN diary_entries e ON e.entry_id = dm.entry_id
        WHERE dm.media_id IN (SELECT media_id FROM changed)""",
    "diary_entries": "SELECT family_id FROM changed",
    "diary_media": "SELECT e.family_id FROM diary_entries e WHERE e.entry_id IN (SELECT entry_id FROM changed)",
    # A family newly linked is built too (it may have no item yet: an empty feed read from the model).
    "loc_parents": "SELECT family_id FROM changed",
}
# A new medium is attached to nothing yet, and a parent's link matters only when it is new: those tables' other
# events touch no family's items.
EVENTS = {"timeline_media": ("UPDATE", "DELETE"), "loc_parents": ("INSERT",)}

SCHEMA = (
    """
CREATE TABLE feed_items (
    family_id uuid NOT NULL,
    at timestamptz NOT NULL,
    item_id uuid NOT NULL,
    kind text NOT NULL,
    child_ids uuid[] NOT NULL,
    series_id uuid, group_id uuid, organisation_id uuid, caption text, posted_at timestamptz, downloadable boolean,
    photos json,
    entry_id uuid, child_id uuid, author_role text, author_name text, author_account_id text, body text,
    created_at timestamptz, media json,
    PRIMARY KEY (family_id, at, item_id)
)""",
    """
CREATE TABLE feed_built (
    family_id uuid PRIMARY KEY,
    complete boolean NOT NULL,
    built_at timestamptz NOT NULL DEFAULT now()
)""",
    # No key: writers only insert (duplicates are fine until the builder takes them away).
    "CREATE TABLE feed_stale (family_id uuid NOT NULL)",
    "CREATE INDEX ix_feed_stale_family ON feed_stale (family_id)",
    """
-- A table emptied at once (no row is in a transition table): every family built so far.
CREATE FUNCTION feed_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO feed_stale (family_id) SELECT family_id FROM feed_built;
    RETURN NULL;
END $$""",
    # Every family there is now is built once (the rows it reads live until then).
    """
INSERT INTO feed_stale (family_id)
SELECT family_id FROM loc_parents UNION SELECT family_id FROM photo_tags UNION SELECT family_id FROM diary_entries""",
)


def _input_function(table: str) -> str:
    """The trigger function of one input: the families the statement's rows touch, before and after, marked.
    plpgsql with a generic plan: planned once per connection, whatever the rows."""

    def marked(rows: str) -> str:
        return (f"INSERT INTO feed_stale (family_id) SELECT DISTINCT family_id FROM "
                f"(WITH changed AS (SELECT * FROM {rows}) {TOUCHES[table]}) touched WHERE family_id IS NOT NULL;")

    events = EVENTS.get(table, ("INSERT", "UPDATE", "DELETE"))
    old = f"""IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {marked("old_rows")}
    END IF;""" if {"UPDATE", "DELETE"} & set(events) else ""
    new = f"""IF TG_OP IN ('UPDATE', 'INSERT') THEN
        {marked("new_rows")}
    END IF;""" if {"UPDATE", "INSERT"} & set(events) else ""
    return f"""
CREATE FUNCTION feed_{table}_input() RETURNS trigger LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    {old}
    {new}
    RETURN NULL;
END $$"""


_REFERENCING = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "DELETE": "OLD TABLE AS old_rows"}


def upgrade() -> None:
    for statement in SCHEMA:
        op.execute(statement)
    for table in TOUCHES:
        op.execute(_input_function(table))
        # Statement triggers over transition tables: a series of twenty photos marks each family once.
        for event in EVENTS.get(table, ("INSERT", "UPDATE", "DELETE")):
            op.execute(f"CREATE TRIGGER feed_{table}_{event.lower()} AFTER {event} ON {table} "
                       f"REFERENCING {_REFERENCING[event]} FOR EACH STATEMENT "
                       f"EXECUTE FUNCTION feed_{table}_input()")
        op.execute(f"CREATE TRIGGER feed_{table}_truncate AFTER TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION feed_truncated()")


def downgrade() -> None:
    for table in TOUCHES:
        for event in (*EVENTS.get(table, ("INSERT", "UPDATE", "DELETE")), "TRUNCATE"):
            op.execute(f"DROP TRIGGER feed_{table}_{event.lower()} ON {table}")
        op.execute(f"DROP FUNCTION feed_{table}_input()")
    for statement in ("DROP FUNCTION feed_truncated()", "DROP TABLE feed_stale", "DROP TABLE feed_built",
                      "DROP TABLE feed_items"):
        op.execute(statement)
