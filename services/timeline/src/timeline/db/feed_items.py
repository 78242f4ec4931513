"""The feed read model's rows: which families to build again, and building one (migration 0009 has the tables and
the triggers; db.feed_read's `_STORED` reads them)."""

from uuid import UUID

from konnect_kit.db import Session
from sqlalchemy import bindparam, text
from sqlalchemy.types import Integer, Uuid

from timeline.db.feed_read import PAGE_TYPES, feed_sql

# Marked families, never built and longest ago built first (one that failed goes behind the others).
_NEXT = text("""SELECT s.family_id FROM (SELECT DISTINCT family_id FROM feed_stale) s
    LEFT JOIN feed_built b ON b.family_id = s.family_id
    ORDER BY b.built_at NULLS FIRST, s.family_id LIMIT :n""")

# A family's newest items found by the feed's own statement (no cursor, no child, as the family feed's first page
# asks, but `stored` + 1 of them) and the first `stored` stored, each with the family's children it shows (a
# series: those tagged on a photo the family may see; an entry: its child). How many it found says whether the
# stored ones are all the family's.
_BUILD = text(f"""
WITH computed AS ({feed_sql("SELECT CAST(:family_id AS uuid) AS family_id")}),
stored AS (
    INSERT INTO feed_items (family_id, at, item_id, kind, child_ids, series_id, group_id, organisation_id, caption,
                            posted_at, downloadable, photos, entry_id, child_id, author_role, author_name,
                            author_account_id, body, created_at, media)
    SELECT CAST(:family_id AS uuid), c.at, c.item_id, c.kind,
           CASE WHEN c.kind = 'photos'
                THEN ARRAY(SELECT DISTINCT CAST(tagged.child AS uuid)
                           FROM json_array_elements(c.photos) p
                           CROSS JOIN json_array_elements_text(p -> 'child_ids') tagged(child) ORDER BY 1)
                ELSE ARRAY[c.child_id] END,
           c.series_id, c.group_id, c.organisation_id, c.caption, c.posted_at, c.downloadable, c.photos,
           c.entry_id, c.child_id, c.author_role, c.author_name, c.author_account_id, c.body, c.created_at, c.media
    FROM computed c WHERE c.kind IS NOT NULL
    ORDER BY c.at DESC, c.item_id DESC LIMIT :stored
    RETURNING 1)
SELECT (SELECT count(*) FROM computed WHERE kind IS NOT NULL) AS found, (SELECT count(*) FROM stored) AS stored
""").bindparams(bindparam("family_id", type_=Uuid), bindparam("stored", type_=Integer), *PAGE_TYPES)


async def candidates(session: Session, n: int) -> list[UUID]:
    """Up to `n` families to build, in a REPEATABLE READ snapshot: the marks taken and the items stored are of one
    moment (`take`)."""
    await session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
    return list((await session.execute(_NEXT, {"n": n})).scalars())


async def take(session: Session, family_id: UUID) -> bool:
    """The family for this unit of work, unless another builder has it: its marks of this snapshot deleted. A mark
    committed after the snapshot is not seen, so it stays and the family is read live until built again."""
    locked = (await session.execute(text("SELECT pg_try_advisory_xact_lock(hashtextextended(:key, 0))"),
                                    {"key": f"feed:{family_id}"})).scalar()
    if locked:
        await session.execute(text("DELETE FROM feed_stale WHERE family_id = :family"), {"family": family_id})
    return bool(locked)


async def build(session: Session, family_id: UUID, stored: int) -> int:
    """Store the family's newest `stored` items in place of the ones it had; how many items it has (up to
    `stored` + 1)."""
    await session.execute(text("DELETE FROM feed_items WHERE family_id = :family"), {"family": family_id})
    found = (await session.execute(_BUILD, {
        "family_id": family_id, "stored": stored, "account_id": "", "child_id": None, "before_at": None,
        "before_id": None, "page_size": stored + 1, "count_unseen": False})).one().found
    await session.execute(
        text("INSERT INTO feed_built (family_id, complete) VALUES (:family, :complete) "
             "ON CONFLICT (family_id) DO UPDATE SET complete = excluded.complete, built_at = now()"),
        {"family": family_id, "complete": found <= stored})
    return int(found)


async def set_aside(session: Session, family_id: UUID) -> None:
    """A family that could not be built is read live, and tried again behind the others."""
    await session.execute(text("INSERT INTO feed_stale (family_id) VALUES (:family)"), {"family": family_id})
    await session.execute(text("INSERT INTO feed_built (family_id, complete) VALUES (:family, false) "
                               "ON CONFLICT (family_id) DO UPDATE SET built_at = now()"), {"family": family_id})


__all__ = ["build", "candidates", "set_aside", "take"]
