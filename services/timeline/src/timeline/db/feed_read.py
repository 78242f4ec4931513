"""A family's feed page (or one of its children's timeline) in one SQL round trip: the hot read of the home screen.

One statement finds the parent's family, the page (keyset on time and id; the photo rule tested only on what the
page takes, newest first), every series' photos the family may see
(the rule of `domain.photo_visibility.family_sees` in SQL, and "processed"), each photo's
tagged children of that family, the diary entries with their processed media, the group names, the
organisation's download setting, the children's first names, when the account last looked and how many items are
newer. No ORM objects: plain rows and JSON built by PostgreSQL, run on the lean read path (`konnect_kit.db.Reader`):
it writes nothing, and one statement is one snapshot.
"""

from datetime import datetime
from uuid import UUID

from konnect_kit.db import Reader, ReadQuery, Row
from sqlalchemy import bindparam, text
from sqlalchemy.types import Boolean, DateTime, Integer, Text, Uuid

# A tag the family may see: no child of another family without photo consent on its photo (the rule of
# `domain.photo_visibility.family_sees`), for one tag `t`. That the photo is processed is the join's condition
# below (photos and their media are joined once, for the answer, not once more for the rule: 6-9% of the
# statement, PROFILE-read-paths.md round 16).
_SEES = """NOT EXISTS (SELECT 1 FROM photo_tags o
                   WHERE o.photo_id = t.photo_id AND o.family_id <> t.family_id
                     AND NOT EXISTS (SELECT 1 FROM photo_consents c WHERE c.child_id = o.child_id AND c.granted))"""

# The family's items newest first: its series (by the keys of its tags: family, posted_at, series) and its diary
# entries. The keys are cheap to sort, the photo rule is not: a key's photos are found (the rule tested on its
# tags) newest first, one key at a time, only until the page (and the unseen count) has enough, so a read costs
# what it shows, not the family's history. Testing every tag of the family first cost 4.9 ms per read for a family
# with a year of photos against 0.4 ms for a new one (bench/PROFILE-read-paths.md, round 15). A series' tags share
# its posted_at (posted in one call), so a series is one key: one item at that moment.
_SEEN = "coalesce((SELECT seen_at FROM seen), '-infinity')"
_UNDER_CURSOR = ("(coalesce(CAST(:before_at AS timestamptz), 'infinity'), "
                 "coalesce(CAST(:before_id AS uuid), 'ffffffff-ffff-ffff-ffff-ffffffffffff'))")

# A series' photos the family may see, each with its tagged children of the family (JSON; NULL: none), and whether
# one of them shows the child asked for (or no child was asked for): the series is an item when both hold.
_SERIES_PHOTOS = f"""
    SELECT json_agg(json_build_object(
               'photo_id', p.photo_id, 'position', p.position, 'kind', m.kind, 'media_base', m.media_base,
               'width', m.width, 'height', m.height, 'duration_seconds', m.duration_seconds,
               'child_ids', tagged.child_ids) ORDER BY p.position) AS photos,
           coalesce(bool_or(tagged.of_child), false) AS of_child
    FROM (SELECT t.photo_id, json_agg(t.child_id ORDER BY t.child_id) AS child_ids,
                 bool_or(CAST(:child_id AS uuid) IS NULL OR t.child_id = :child_id) AS of_child
          FROM photo_tags t  -- the series' tags of this family (on the family index: the key has its posted_at)
          WHERE t.family_id = (SELECT family_id FROM fam) AND t.posted_at = keys.at AND t.series_id = keys.item_id
            AND {_SEES}
          GROUP BY t.photo_id) tagged
    JOIN photos p ON p.photo_id = tagged.photo_id
    JOIN timeline_media m ON m.media_id = p.media_id AND m.processing = 'ready'"""


def _series(since: str) -> str:
    """The keys (at, item_id) of the family's (the child's) series later than `since` (a moment; SQL) under the
    cursor, before the rule."""
    return f"""SELECT DISTINCT k.posted_at AS at, k.series_id AS item_id FROM photo_tags k
        WHERE k.family_id = (SELECT family_id FROM fam) AND (k.posted_at, k.series_id) < {_UNDER_CURSOR}
          AND k.posted_at > {since} AND (CAST(:child_id AS uuid) IS NULL OR k.child_id = :child_id)"""


def _entries(since: str) -> str:
    """The family's (the child's) diary entries (at, item_id) later than `since` under the cursor."""
    return f"""SELECT e.created_at AS at, e.entry_id AS item_id FROM diary_entries e
        WHERE e.family_id = (SELECT family_id FROM fam) AND (e.created_at, e.entry_id) < {_UNDER_CURSOR}
          AND e.created_at > {since} AND (CAST(:child_id AS uuid) IS NULL OR e.child_id = :child_id)"""


# The parent's family, by the account in its organisation.
_PARENTS_FAMILY = """SELECT family_id FROM loc_parents
    WHERE account_id = :account_uuid AND organisation_id = :organisation_id AND NOT deleted"""

# Parts the live statement and the read model's share (the random-world tests compare the two row for row): when
# the account last looked, and the family's children's names and whether the child asked for is one of them.
_SEEN_CTE = "seen AS (SELECT (SELECT seen_at FROM feed_marks WHERE account_id = :account_id) AS seen_at),"
_FAMILY_COLUMNS = """(SELECT json_object_agg(c.child_id, c.first_name) FROM loc_children c
     JOIN fam ON c.family_id = fam.family_id) AS child_names,
    EXISTS (SELECT 1 FROM loc_children c JOIN fam ON c.family_id = fam.family_id
            WHERE c.child_id = :child_id AND NOT c.deleted) AS child_in_family,"""


def feed_sql(family: str) -> str:
    """The feed's statement for the family `family` (SQL giving one `family_id`) finds."""
    return f"""
WITH fam AS ({family}),
{_SEEN_CTE}
-- The family's series newest first, the rule tested as each key is taken: enough for the page, and when the
-- unseen count is asked (the first page) for every series newer than the last look too, up to 100.
shown_series AS (
    SELECT keys.at, keys.item_id, shown.photos
    FROM ({_series("'-infinity'")} ORDER BY at DESC, item_id DESC
          OFFSET 0) keys  -- kept whole: the photos below are found as keys are taken, not for every key first
    CROSS JOIN LATERAL ({_SERIES_PHOTOS}) shown
    WHERE shown.of_child
    LIMIT CASE WHEN :count_unseen THEN greatest(:page_size, least(100, (SELECT count(*) FROM ({_series(_SEEN)}) n)))
               ELSE :page_size END
),
page AS (
    SELECT kind, item_id, at, photos FROM (
        (SELECT 'photos' AS kind, item_id, at, photos FROM shown_series
         ORDER BY at DESC, item_id DESC LIMIT :page_size)
        UNION ALL
        (SELECT 'diary', item_id, at, NULL FROM ({_entries("'-infinity'")}) entries
         ORDER BY at DESC, item_id DESC LIMIT :page_size)) both_kinds
    ORDER BY at DESC, item_id DESC LIMIT :page_size
)
SELECT
    (SELECT family_id FROM fam) AS family_id,
    (SELECT seen_at FROM seen) AS seen_at,
    -- The items newer than the last look, up to 100 (asked on the first page).
    CASE WHEN :count_unseen THEN least(100, (SELECT count(*) FROM shown_series WHERE shown_series.at > {_SEEN})
                                            + (SELECT count(*) FROM ({_entries(_SEEN)} LIMIT 100) e)) END AS unseen,
    {_FAMILY_COLUMNS}
    page.kind, page.item_id, page.at,
    s.series_id, s.group_id, s.organisation_id, s.caption, s.posted_at, s.downloadable, g.name AS group_name,
    coalesce(ms.downloads_allowed, false) AS organisation_downloads,
    page.photos,
    e.entry_id, e.child_id, e.author_role, e.author_name, e.author_account_id, left(e.body, 280) AS body,
    e.created_at,
    (SELECT json_agg(json_build_object('media_id', m.media_id, 'kind', m.kind, 'media_base', m.media_base)
                     ORDER BY dm.position)
     FROM diary_media dm JOIN timeline_media m ON m.media_id = dm.media_id
     WHERE page.kind = 'diary' AND dm.entry_id = page.item_id AND m.processing = 'ready') AS media
FROM (SELECT 1) AS one
LEFT JOIN page ON true
LEFT JOIN photo_series s ON page.kind = 'photos' AND s.series_id = page.item_id
LEFT JOIN loc_groups g ON g.group_id = s.group_id
LEFT JOIN media_settings ms ON ms.organisation_id = s.organisation_id
LEFT JOIN diary_entries e ON page.kind = 'diary' AND e.entry_id = page.item_id
ORDER BY page.at DESC, page.item_id DESC
"""


PAGE_TYPES = (bindparam("account_id", type_=Text), bindparam("child_id", type_=Uuid),
               bindparam("before_at", type_=DateTime(timezone=True)), bindparam("before_id", type_=Uuid),
               bindparam("page_size", type_=Integer), bindparam("count_unseen", type_=Boolean))
_PARENT_TYPES = (bindparam("account_uuid", type_=Uuid), bindparam("organisation_id", type_=Uuid))
_FEED = text(feed_sql(_PARENTS_FAMILY)).bindparams(*_PARENT_TYPES, *PAGE_TYPES)
_FEED_READ = ReadQuery(_FEED)

# The same page from the read model (migration 0009): the family's stored items, when it was built and nothing it
# is made of changed since (no mark), with the live parts joined (group names, the download setting, children's
# names, the last look). `stored_complete` is NULL when the stored items cannot be used, and `stored_rows` says
# how many the page took: a page that is not full is the answer only when the stored items are all the family's.
_STORED = text(f"""
WITH fam AS ({_PARENTS_FAMILY}),
{_SEEN_CTE}
built AS (SELECT b.complete FROM feed_built b
          WHERE b.family_id = (SELECT family_id FROM fam)
            AND NOT EXISTS (SELECT 1 FROM feed_stale s WHERE s.family_id = b.family_id)),
page AS (SELECT f.* FROM feed_items f
         WHERE f.family_id = (SELECT family_id FROM fam) AND EXISTS (SELECT 1 FROM built)
           AND (f.at, f.item_id) < {_UNDER_CURSOR}
           AND (CAST(:child_id AS uuid) IS NULL OR f.child_ids @> ARRAY[CAST(:child_id AS uuid)])
         ORDER BY f.at DESC, f.item_id DESC LIMIT :page_size)
SELECT
    (SELECT family_id FROM fam) AS family_id,
    (SELECT seen_at FROM seen) AS seen_at,
    (SELECT complete FROM built) AS stored_complete,
    (SELECT count(*) FROM page) AS stored_rows,
    -- The stored items are the family's newest (at least 100): the newer than the last look among them, up to 100.
    CASE WHEN :count_unseen THEN (SELECT count(*) FROM (SELECT 1 FROM feed_items f
                                                        WHERE f.family_id = (SELECT family_id FROM fam)
                                                          AND f.at > {_SEEN} LIMIT 100) n) END AS unseen,
    {_FAMILY_COLUMNS}
    page.kind, page.item_id, page.at,
    page.series_id, page.group_id, page.organisation_id, page.caption, page.posted_at, page.downloadable,
    g.name AS group_name, coalesce(ms.downloads_allowed, false) AS organisation_downloads,
    page.photos,
    page.entry_id, page.child_id, page.author_role, page.author_name, page.author_account_id, page.body,
    page.created_at, page.media
FROM (SELECT 1) AS one
LEFT JOIN page ON true
LEFT JOIN loc_groups g ON g.group_id = page.group_id
LEFT JOIN media_settings ms ON ms.organisation_id = page.organisation_id
ORDER BY page.at DESC, page.item_id DESC
""").bindparams(*_PARENT_TYPES, *PAGE_TYPES)
_STORED_READ = ReadQuery(_STORED)


def _stored_answers(rows: list[Row], page_size: int) -> bool:
    """Whether the read model's rows are the page: built and unchanged, and either a full page or every item (or
    the account has no family: no item either way)."""
    first = rows[0]
    return first.family_id is None or (first.stored_complete is not None and (
        first.stored_complete or first.stored_rows == page_size))


async def family_page(reader: Reader, *, account_id: str, account_uuid: UUID | None, organisation_id: UUID,
                      child_id: UUID | None, before: tuple[datetime, UUID] | None, limit: int,
                      count_unseen: bool, stored: bool = True) -> list[Row]:
    """The page's rows, newest first (one row with `kind` None when the page is empty); every row also carries
    the family (None: the account is not linked to a family), `seen_at`, `unseen`, the children's names and
    whether `child_id` is one of the family's children. `count_unseen` is for the first page (no cursor): the
    unseen items are counted from the top of the feed. `stored`: from the read model when it can answer (False:
    always the live statement, what the read model's tests compare it with)."""
    if count_unseen and before is not None:
        raise ValueError("the unseen count is the first page's")
    # Plain asyncpg records: every value is what the ORM path gave too (the statement is text() with no typed
    # result columns, so SQLAlchemy processed nothing); JSON arrives decoded by the connection's codec.
    values = {"account_uuid": account_uuid, "organisation_id": organisation_id, "account_id": account_id,
              "child_id": child_id, "before_at": before[0] if before else None,
              "before_id": before[1] if before else None, "page_size": limit, "count_unseen": count_unseen}
    if stored:
        rows = await reader.rows(_STORED_READ, **values)
        if _stored_answers(rows, limit):
            return rows
    # Not built yet, changed since, or a page older than the stored items: the live statement (a second round trip,
    # and a snapshot of its own, which only a change in between can tell from the first).
    return await reader.rows(_FEED_READ, **values)
