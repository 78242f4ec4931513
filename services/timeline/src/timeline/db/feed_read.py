"""A family's feed page (or one of its children's timeline) in one SQL round trip: the hot read of the home screen.

One statement finds the parent's family, the page (keyset on time and id), every series' photos the family may see
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

_FEED = text("""
WITH fam AS (
    SELECT family_id FROM loc_parents
    WHERE account_id = :account_uuid AND organisation_id = :organisation_id AND NOT deleted
),
seen AS (SELECT (SELECT seen_at FROM feed_marks WHERE account_id = :account_id) AS seen_at),
tags AS MATERIALIZED (  -- the family's tags on photos it may see
    SELECT t.photo_id, t.series_id, t.child_id, t.posted_at
    FROM photo_tags t JOIN fam ON t.family_id = fam.family_id
    WHERE EXISTS (SELECT 1 FROM photos p JOIN timeline_media m ON m.media_id = p.media_id
                  WHERE p.photo_id = t.photo_id AND m.processing = 'ready')
      AND NOT EXISTS (SELECT 1 FROM photo_tags o
                      WHERE o.photo_id = t.photo_id AND o.family_id <> t.family_id
                        AND NOT EXISTS (SELECT 1 FROM photo_consents c WHERE c.child_id = o.child_id AND c.granted))
),
items AS (
    SELECT 'photos' AS kind, series_id AS item_id, max(posted_at) AS at FROM tags
    WHERE CAST(:child_id AS uuid) IS NULL OR child_id = :child_id
    GROUP BY series_id
    UNION ALL
    SELECT 'diary', e.entry_id, e.created_at FROM diary_entries e JOIN fam ON e.family_id = fam.family_id
    WHERE CAST(:child_id AS uuid) IS NULL OR e.child_id = :child_id
),
page AS (
    SELECT kind, item_id, at FROM items
    WHERE CAST(:before_at AS timestamptz) IS NULL OR (at, item_id) < (:before_at, :before_id)
    ORDER BY at DESC, item_id DESC LIMIT :page_size
)
SELECT
    (SELECT family_id FROM fam) AS family_id,
    (SELECT seen_at FROM seen) AS seen_at,
    CASE WHEN :count_unseen THEN (SELECT count(*) FROM (
        SELECT 1 FROM items, seen WHERE seen.seen_at IS NULL OR items.at > seen.seen_at LIMIT 100) u) END AS unseen,
    (SELECT json_object_agg(c.child_id, c.first_name) FROM loc_children c JOIN fam ON c.family_id = fam.family_id)
        AS child_names,
    EXISTS (SELECT 1 FROM loc_children c JOIN fam ON c.family_id = fam.family_id
            WHERE c.child_id = :child_id AND NOT c.deleted) AS child_in_family,
    page.kind, page.item_id, page.at,
    s.series_id, s.group_id, s.organisation_id, s.caption, s.posted_at, s.downloadable, g.name AS group_name,
    coalesce(ms.downloads_allowed, false) AS organisation_downloads,
    (SELECT json_agg(json_build_object(
                'photo_id', p.photo_id, 'position', p.position, 'kind', m.kind, 'media_base', m.media_base,
                'width', m.width, 'height', m.height, 'duration_seconds', m.duration_seconds,
                'child_ids', (SELECT json_agg(t.child_id ORDER BY t.child_id) FROM tags t
                              WHERE t.photo_id = p.photo_id))
            ORDER BY p.position)
     FROM photos p JOIN timeline_media m ON m.media_id = p.media_id
     WHERE page.kind = 'photos' AND p.series_id = page.item_id
       AND p.photo_id IN (SELECT photo_id FROM tags WHERE series_id = page.item_id)) AS photos,
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
""").bindparams(
    bindparam("account_uuid", type_=Uuid), bindparam("organisation_id", type_=Uuid),
    bindparam("account_id", type_=Text), bindparam("child_id", type_=Uuid),
    bindparam("before_at", type_=DateTime(timezone=True)), bindparam("before_id", type_=Uuid),
    bindparam("page_size", type_=Integer), bindparam("count_unseen", type_=Boolean))
_FEED_READ = ReadQuery(_FEED)


async def family_page(reader: Reader, *, account_id: str, account_uuid: UUID | None, organisation_id: UUID,
                      child_id: UUID | None, before: tuple[datetime, UUID] | None, limit: int,
                      count_unseen: bool) -> list[Row]:
    """The page's rows, newest first (one row with `kind` None when the page is empty); every row also carries
    the family (None: the account is not linked to a family), `seen_at`, `unseen`, the children's names and
    whether `child_id` is one of the family's children."""
    # Plain asyncpg records: every value is what the ORM path gave too (the statement is text() with no typed
    # result columns, so SQLAlchemy processed nothing); JSON arrives decoded by the connection's codec.
    return await reader.rows(
        _FEED_READ, account_uuid=account_uuid, organisation_id=organisation_id, account_id=account_id,
        child_id=child_id, before_at=before[0] if before else None, before_id=before[1] if before else None,
        page_size=limit, count_unseen=count_unseen)
