"""The feed read model (migration 0009, `timeline.feed_builder`) on real PostgreSQL: on random worlds every page of
every family's feed and child timeline read from the stored items is the live statement's page, row for row; after
each kind of change a family's stored items are never used while they would be wrong (the page is found live), and
once built again they are used and right."""

import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from konnect_kit.db import Database, asyncpg_dsn
from timeline.db import feed_read
from timeline.feed_builder import FeedBuilder
from timeline.main import MIGRATIONS
from timeline.service_layer import feed_items
from timeline.service_layer.feed_items import STORED

T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
_STORED_ONLY = {"stored_complete", "stored_rows"}


class World:
    """Random families in two groups of one organisation: photo series tagging children of several families (with
    and without photo consent, photos ready, processing or failed), diary entries with media, last looks."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.org = uuid.uuid4()
        self.groups = [uuid.uuid4(), uuid.uuid4()]
        self.families: dict[uuid.UUID, list[uuid.UUID]] = {}  # family -> children
        self.parents: dict[uuid.UUID, uuid.UUID] = {}  # account -> family
        self.family_of: dict[uuid.UUID, uuid.UUID] = {}  # child -> family
        self.series: list[uuid.UUID] = []
        self.photos: list[uuid.UUID] = []
        self.entries: list[uuid.UUID] = []
        self.media: list[uuid.UUID] = []
        self.moment = 0
        self.stranger = uuid.uuid4()  # a child of no family here

    def at(self) -> datetime:
        self.moment += self.rng.randint(1, 90)
        return T0 + timedelta(minutes=self.moment)

    async def medium(self, db: asyncpg.Connection, processing: str | None = None) -> uuid.UUID:
        media_id = uuid.uuid4()
        kind = self.rng.choice(("photo", "photo", "video"))
        await db.execute(
            "INSERT INTO timeline_media (media_id, organisation_id, media_base, status, uploaded_by, created_at, "
            "upload_expires_at, kind, width, height, duration_seconds, processing) "
            "VALUES ($1, $2, $3, 'attached', 'staff', $4, $4, $5, 640, 480, $6, $7)",
            media_id, self.org, f"{self.org}/{media_id}", T0, kind, 3.5 if kind == "video" else None,
            processing or self.rng.choice(("ready", "ready", "ready", "ready", "processing", "failed")))
        self.media.append(media_id)
        return media_id

    async def add_family(self, db: asyncpg.Connection, children: int) -> uuid.UUID:
        family, account = uuid.uuid4(), uuid.uuid4()
        await db.execute("INSERT INTO loc_parents (account_id, family_id, organisation_id, version) "
                         "VALUES ($1, $2, $3, 1)", account, family, self.org)
        self.parents[account] = family
        self.families[family] = []
        for _ in range(children):
            child = uuid.uuid4()
            await db.execute("INSERT INTO loc_children (child_id, family_id, first_name, organisation_id, version) "
                             "VALUES ($1, $2, $3, $4, 1)", child, family, f"Kind{self.rng.randint(1, 999)}",
                             self.org)
            if self.rng.random() < 0.8:  # some children have no consent row at all
                await db.execute("INSERT INTO photo_consents (child_id, organisation_id, granted, changed_at) "
                                 "VALUES ($1, $2, $3, $4)", child, self.org, self.rng.random() < 0.5, T0)
            self.families[family].append(child)
            self.family_of[child] = family
        if self.rng.random() < 0.5:
            await db.execute("INSERT INTO feed_marks (account_id, seen_at) VALUES ($1, $2)", str(account),
                             T0 + timedelta(minutes=self.rng.randint(0, 1500)))
        return family

    async def add_series(self, db: asyncpg.Connection, tagged: list[list[uuid.UUID]] | None = None,
                         processing: str | None = None) -> uuid.UUID:
        series, posted_at, group = uuid.uuid4(), self.at(), self.rng.choice(self.groups)
        await db.execute(
            "INSERT INTO photo_series (series_id, organisation_id, location_id, group_id, caption, "
            "posted_by_staff_id, downloadable, posted_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            series, self.org, uuid.uuid4(), group, self.rng.choice((None, "Buiten spelen", "Verven")), uuid.uuid4(),
            self.rng.choice((None, True, False)), posted_at)
        children = list(self.family_of)
        for position, tags in enumerate(tagged or [self.rng.sample(children, self.rng.randint(1, min(3, len(
                children)))) for _ in range(self.rng.randint(1, 3))]):
            photo = uuid.uuid4()
            await db.execute("INSERT INTO photos (photo_id, series_id, organisation_id, media_id, position, "
                             "posted_at) VALUES ($1, $2, $3, $4, $5, $6)", photo, series, self.org,
                             await self.medium(db, processing), position, posted_at)
            for child in tags:
                await db.execute("INSERT INTO photo_tags (photo_id, child_id, family_id, series_id, "
                                 "organisation_id, posted_at) VALUES ($1, $2, $3, $4, $5, $6)",
                                 photo, child, self.family_of[child], series, self.org, posted_at)
            self.photos.append(photo)
        self.series.append(series)
        return series

    async def add_entry(self, db: asyncpg.Connection, child: uuid.UUID | None = None) -> uuid.UUID:
        child = child or self.rng.choice(list(self.family_of))
        entry = uuid.uuid4()
        await db.execute(
            "INSERT INTO diary_entries (entry_id, organisation_id, child_id, family_id, author_account_id, "
            "author_role, author_name, body, created_at) VALUES ($1, $2, $3, $4, $5, 'staff', 'Sanne', $6, $7)",
            entry, self.org, child, self.family_of[child], str(uuid.uuid4()),
            "Goed gegeten. " * self.rng.randint(1, 40), self.at())
        for position in range(self.rng.randint(0, 2)):
            await db.execute("INSERT INTO diary_media (entry_id, media_id, position) VALUES ($1, $2, $3)",
                             entry, await self.medium(db), position)
        self.entries.append(entry)
        return entry

    @classmethod
    async def create(cls, db: asyncpg.Connection, seed: int) -> "World":
        w = cls(seed)
        await db.execute("INSERT INTO media_settings (organisation_id, downloads_allowed, videos_enabled, "
                         "updated_at) VALUES ($1, $2, true, $3)", w.org, w.rng.random() < 0.5, T0)
        for group in w.groups:
            await db.execute("INSERT INTO loc_groups (group_id, location_id, name, organisation_id, version) "
                             "VALUES ($1, $2, $3, $4, 1)", group, uuid.uuid4(), f"Groep {group.hex[:4]}", w.org)
        for _ in range(w.rng.randint(3, 6)):
            await w.add_family(db, w.rng.randint(1, 3))
        for _ in range(w.rng.randint(5, 25)):
            if w.rng.random() < 0.6:
                await w.add_series(db, [[next(iter(w.family_of))]], "ready")  # one family's child: shown to it
            else:
                await w.add_entry(db)
        return w


@pytest.fixture
async def model(migrated_database) -> AsyncIterator[tuple[asyncpg.Connection, Database, FeedBuilder]]:
    url = await migrated_database(MIGRATIONS)
    db = await asyncpg.connect(asyncpg_dsn(url))
    database = Database(url, pool_size=2, max_overflow=0)
    try:
        yield db, database, FeedBuilder(database, poll_seconds=60)
    finally:
        await database.dispose()
        await db.close()


def _values(account: uuid.UUID, org: uuid.UUID, child: uuid.UUID | None, before: tuple | None,
            limit: int) -> dict[str, Any]:
    return {"account_uuid": account, "organisation_id": org, "account_id": str(account), "child_id": child,
            "before_at": before[0] if before else None, "before_id": before[1] if before else None,
            "page_size": limit, "count_unseen": before is None and child is None}


def _plain(rows: list[Any]) -> list[dict[str, Any]]:
    return [{k: v for k, v in dict(row).items() if k not in _STORED_ONLY} for row in rows]


async def check(w: World, database: Database) -> tuple[int, int, dict]:
    """Every page (first pages of four sizes and one older page; the family feed and each child's timeline, the
    family's own and another's) read both ways: the stored rows, where the read model takes them, are the live
    ones. Returns (pages answered from the model, pages asked) and the live answers."""
    stored_used = asked = 0
    answers = {}
    for account, family in w.parents.items():
        for child in (None, *w.families[family], w.stranger):
            for limit in (2, 6, 21, 51):
                for older in (False, True):
                    live = await database.reader.rows(feed_read._FEED_READ, **_values(account, w.org, child, None,
                                                                                      limit))
                    before = None
                    if older:
                        page = [r for r in live if r["kind"] is not None]
                        if len(page) < 2:
                            continue
                        before = (page[len(page) // 2]["at"], page[len(page) // 2]["item_id"])
                        live = await database.reader.rows(
                            feed_read._FEED_READ, **_values(account, w.org, child, before, limit))
                    stored = await database.reader.rows(
                        feed_read._STORED_READ, **_values(account, w.org, child, before, limit))
                    asked += 1
                    answers[(account, child, limit, older)] = _plain(live)
                    if feed_read._stored_answers(stored, limit):
                        stored_used += 1
                        assert _plain(stored) == _plain(live), (account, child, limit, before)
                    # And what the screen runs (the model or, when it cannot answer, the live statement).
                    shown = await feed_read.family_page(
                        database.reader, account_id=str(account), account_uuid=account, organisation_id=w.org,
                        child_id=child, before=before, limit=limit, count_unseen=before is None and child is None)
                    assert _plain(shown) == _plain(live)
    return stored_used, asked, answers


@pytest.mark.parametrize("seed", range(8))
async def test_the_stored_feed_is_the_live_one_on_random_worlds(model, seed) -> None:
    db, database, builder = model
    w = await World.create(db, seed)
    used, asked, _ = await check(w, database)
    assert used == 0  # nothing built yet: every page found live
    assert await builder.drain() >= len(w.families)
    used, asked, _ = await check(w, database)
    assert used == asked  # every page here is inside the stored items


async def test_a_family_with_more_items_than_stored_reads_older_pages_live(model) -> None:
    db, database, builder = model
    w = await World.create(db, 99)
    family = next(iter(w.families))
    for _ in range(STORED + 20):
        await w.add_entry(db, w.families[family][0])
    await builder.drain()
    account = next(a for a, f in w.parents.items() if f == family)
    complete = await db.fetchval("SELECT complete FROM feed_built WHERE family_id = $1", family)
    assert complete is False
    assert await db.fetchval("SELECT count(*) FROM feed_items WHERE family_id = $1", family) == STORED
    used, asked, _ = await check(w, database)
    assert 0 < used < asked
    # The oldest page is past the stored items: found live, and right.
    oldest = await db.fetchrow("SELECT at, item_id FROM feed_items WHERE family_id = $1 ORDER BY at, item_id LIMIT 1",
                               family)
    stored = await database.reader.rows(feed_read._STORED_READ,
                                        **_values(account, w.org, None, (oldest["at"], oldest["item_id"]), 10))
    assert not feed_read._stored_answers(stored, 10)


async def _consent_child(db: asyncpg.Connection, w: World, granted: bool) -> uuid.UUID | None:
    """A child whose consent decides what another family sees: given (`granted`), on a photo that family is shown;
    not given, the only child without it on a ready photo with another family's child."""
    if granted:
        return await db.fetchval(
            "SELECT t.child_id FROM feed_items f CROSS JOIN json_array_elements(f.photos) p "
            "JOIN photo_tags t ON t.photo_id = CAST(p ->> 'photo_id' AS uuid) AND t.family_id <> f.family_id "
            "WHERE f.organisation_id = $1 ORDER BY f.at, t.child_id LIMIT 1", w.org)
    return await db.fetchval(
        "SELECT t.child_id FROM photo_tags t JOIN photos p ON p.photo_id = t.photo_id "
        "JOIN timeline_media m ON m.media_id = p.media_id AND m.processing = 'ready' "
        "WHERE NOT EXISTS (SELECT 1 FROM photo_consents c WHERE c.child_id = t.child_id AND c.granted) "
        "AND EXISTS (SELECT 1 FROM photo_tags o WHERE o.photo_id = t.photo_id AND o.family_id <> t.family_id) "
        "AND NOT EXISTS (SELECT 1 FROM photo_tags x WHERE x.photo_id = t.photo_id AND x.child_id <> t.child_id "
        "                AND NOT EXISTS (SELECT 1 FROM photo_consents c WHERE c.child_id = x.child_id AND c.granted)) "
        "AND t.organisation_id = $1 ORDER BY t.child_id LIMIT 1", w.org)


async def _consent(w: World, db: asyncpg.Connection, granted: bool) -> None:
    child = await _consent_child(db, w, not granted)
    await db.execute("INSERT INTO photo_consents (child_id, organisation_id, granted, changed_at) "
                     "VALUES ($1, $2, $3, $4) ON CONFLICT (child_id) DO UPDATE SET granted = excluded.granted",
                     child, w.org, granted, T0)


async def _consent_deleted(w: World, db: asyncpg.Connection) -> None:
    await db.execute("DELETE FROM photo_consents WHERE child_id = $1", await _consent_child(db, w, True))


async def _shown_photo(db: asyncpg.Connection, w: World) -> uuid.UUID:
    """A photo some family's stored feed shows (changing one nobody sees would prove nothing)."""
    return uuid.UUID(await db.fetchval(
        "SELECT p ->> 'photo_id' FROM feed_items f CROSS JOIN json_array_elements(f.photos) p "
        "WHERE f.kind = 'photos' AND f.organisation_id = $1 ORDER BY f.at, p ->> 'photo_id' LIMIT 1", w.org))


async def _shown_series(db: asyncpg.Connection, w: World, photos: int = 1) -> uuid.UUID:
    return await db.fetchval("SELECT series_id FROM feed_items WHERE kind = 'photos' "
                             "AND json_array_length(photos) >= $1 AND organisation_id = $2 ORDER BY at LIMIT 1",
                             photos, w.org)


async def _tag_added(w: World, db: asyncpg.Connection) -> None:
    # A child without consent, of a family not on a photo some family sees, joins the photo: the photo goes from
    # the other families' feeds.
    photo = await _shown_photo(db, w)
    tagged = {r["family_id"] for r in await db.fetch("SELECT family_id FROM photo_tags WHERE photo_id = $1", photo)}
    granted = {r["child_id"] for r in await db.fetch("SELECT child_id FROM photo_consents WHERE granted")}
    child = next(c for c in w.family_of if w.family_of[c] not in tagged and c not in granted)
    row = await db.fetchrow("SELECT series_id, posted_at FROM photos WHERE photo_id = $1", photo)
    await db.execute("INSERT INTO photo_tags (photo_id, child_id, family_id, series_id, organisation_id, posted_at) "
                     "VALUES ($1, $2, $3, $4, $5, $6)", photo, child, w.family_of[child], row["series_id"], w.org,
                     row["posted_at"])


async def _tag_removed(w: World, db: asyncpg.Connection) -> None:
    await db.execute("DELETE FROM photo_tags WHERE photo_id = $1", await _shown_photo(db, w))


async def _photo_deleted(w: World, db: asyncpg.Connection) -> None:
    await db.execute("DELETE FROM photos WHERE photo_id = $1", await _shown_photo(db, w))


async def _photos_reordered(w: World, db: asyncpg.Connection) -> None:
    await db.execute("UPDATE photos SET position = 10 - position WHERE series_id = $1", await _shown_series(db, w, 2))


async def _media_processed(w: World, db: asyncpg.Connection) -> None:
    await db.execute("UPDATE timeline_media SET processing = CASE processing WHEN 'ready' THEN 'failed' "
                     "ELSE 'ready' END WHERE media_id = ANY($1::uuid[])", w.media)


async def _media_deleted(w: World, db: asyncpg.Connection) -> None:
    await db.execute("DELETE FROM timeline_media WHERE media_id = (SELECT media_id FROM photos WHERE photo_id = $1)",
                     await _shown_photo(db, w))


async def _series_edited(w: World, db: asyncpg.Connection) -> None:
    await db.execute("UPDATE photo_series SET caption = 'Nieuw onderschrift', downloadable = NOT "
                     "coalesce(downloadable, false) WHERE series_id = ANY($1::uuid[])", w.series)


async def _series_deleted(w: World, db: asyncpg.Connection) -> None:
    await db.execute("DELETE FROM photo_series WHERE series_id = $1", await _shown_series(db, w))


async def _series_posted(w: World, db: asyncpg.Connection) -> None:
    await w.add_series(db, [[next(iter(w.family_of))]], "ready")  # one family's child: shown to it


async def _entry_written(w: World, db: asyncpg.Connection) -> None:
    await w.add_entry(db)


async def _entry_edited(w: World, db: asyncpg.Connection) -> None:
    await db.execute("UPDATE diary_entries SET body = 'Anders' WHERE entry_id = ANY($1::uuid[])", w.entries)


async def _entry_deleted(w: World, db: asyncpg.Connection) -> None:
    await db.execute("DELETE FROM diary_entries WHERE entry_id = $1", w.entries[0])


async def _entry_media(w: World, db: asyncpg.Connection) -> None:
    await db.execute("DELETE FROM diary_media WHERE entry_id = ANY($1::uuid[])", w.entries)
    await db.execute("INSERT INTO diary_media (entry_id, media_id, position) VALUES ($1, $2, 5)", w.entries[-1],
                     await w.medium(db, "ready"))


async def _family_linked(w: World, db: asyncpg.Connection) -> None:
    family = await w.add_family(db, 1)
    await w.add_entry(db, w.families[family][0])


async def _group_renamed(w: World, db: asyncpg.Connection) -> None:
    await db.execute("UPDATE loc_groups SET name = name || ' (nieuw)' WHERE organisation_id = $1", w.org)


async def _downloads_switched(w: World, db: asyncpg.Connection) -> None:
    await db.execute("UPDATE media_settings SET downloads_allowed = NOT downloads_allowed, "
                     "updated_at = now() WHERE organisation_id = $1", w.org)


async def _child_renamed(w: World, db: asyncpg.Connection) -> None:
    await db.execute("UPDATE loc_children SET first_name = first_name || 'je' WHERE organisation_id = $1", w.org)


Change = Callable[[World, asyncpg.Connection], Awaitable[None]]
CHANGES: dict[str, Change] = {
    "consent withdrawn": lambda w, db: _consent(w, db, False),
    "consent given": lambda w, db: _consent(w, db, True),
    "consent row deleted": _consent_deleted,
    "tag added": _tag_added,
    "tag removed": _tag_removed,
    "photo deleted": _photo_deleted,
    "photos reordered": _photos_reordered,
    "media processed or failed": _media_processed,
    "media deleted": _media_deleted,
    "series edited": _series_edited,
    "series deleted": _series_deleted,
    "series posted": _series_posted,
    "diary entry written": _entry_written,
    "diary entry edited": _entry_edited,
    "diary entry deleted": _entry_deleted,
    "diary media changed": _entry_media,
    "family linked": _family_linked,
    # Joined live, not stored: shown at once with nothing to build.
    "group renamed": _group_renamed,
    "downloads switched": _downloads_switched,
    "child renamed": _child_renamed,
}


async def consent_at_stake(w: World, db: asyncpg.Connection) -> None:
    """What every change needs to change something: of three families' children, `a` (consent) and `c` (consent)
    on a photo with another of `a`'s, in a series of two, and `b` (no consent) with `c` on a photo of its own."""
    a, b, c = (w.families[family][0] for family in list(w.families)[:3])
    for child, granted in ((a, True), (b, False), (c, True)):
        await db.execute("INSERT INTO photo_consents (child_id, organisation_id, granted, changed_at) "
                         "VALUES ($1, $2, $3, $4) ON CONFLICT (child_id) DO UPDATE SET granted = excluded.granted",
                         child, w.org, granted, T0)
    await w.add_series(db, [[a, c], [a]], "ready")
    await w.add_series(db, [[b, c]], "ready")
    await w.add_entry(db, a)
    await db.execute("INSERT INTO diary_media (entry_id, media_id, position) VALUES ($1, $2, 9)", w.entries[-1],
                     await w.medium(db, "ready"))


@pytest.mark.parametrize("change", list(CHANGES))
async def test_a_change_shows_at_once_and_the_stored_items_after_building_again(model, change) -> None:
    db, database, builder = model
    w = await World.create(db, 100)
    await consent_at_stake(w, db)
    await builder.drain()
    used, asked, before = await check(w, database)
    assert used == asked
    await CHANGES[change](w, db)
    _, _, after = await check(w, database)  # right at once, stored or live
    assert after != before, "the change changed no page: the test would prove nothing"
    await builder.drain()
    used, asked, _ = await check(w, database)
    assert used == asked


async def test_a_change_committed_while_the_builder_reads_is_not_lost(model) -> None:
    db, database, builder = model
    w = await World.create(db, 7)
    await builder.drain()
    family = next(iter(w.families))
    # The builder takes its snapshot; a diary entry commits before the builder does.
    await db.execute("INSERT INTO feed_stale (family_id) VALUES ($1)", family)
    async with database.transaction() as session:
        assert await feed_items.next_family(session) == family
        await w.add_entry(db, w.families[family][0])
        await feed_items.build(session, family)
    account = next(a for a, f in w.parents.items() if f == family)
    stored = await database.reader.rows(feed_read._STORED_READ, **_values(account, w.org, None, None, 21))
    assert not feed_read._stored_answers(stored, 21)  # the entry's mark is still there: found live
    await builder.drain()
    used, asked, _ = await check(w, database)
    assert used == asked
    shown = await feed_read.family_page(database.reader, account_id=str(account), account_uuid=account,
                                        organisation_id=w.org, child_id=None, before=None, limit=21,
                                        count_unseen=True)
    assert shown[0]["item_id"] == w.entries[-1]
