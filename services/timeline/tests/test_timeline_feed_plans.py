"""The feed and a child's timeline read a family's rows through indexes, never every child of every organisation,
and test the photo rule on what the page shows, not on the family's whole history."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
from konnect_devstack.query_plans import plans_of, rows_read, scanned_tables
from konnect_kit.db import asyncpg_dsn
from timeline.db.feed_read import _FEED_READ
from timeline.main import MIGRATIONS

# The tables this test fills: the others are empty, and a scan of an empty table is the planner's right choice.
_FILLED = {"loc_children", "loc_parents"}


async def test_the_feed_reads_its_family_by_index_on_a_big_organisation(migrated_database) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(await migrated_database(MIGRATIONS)))
    try:
        organisation = uuid.uuid4()
        families = [uuid.uuid4() for _ in range(1_000)]
        children = [(uuid.uuid4(), family, f"Kind {n}") for n, family in enumerate(families * 2)]
        await connection.executemany(
            "INSERT INTO loc_children (child_id, family_id, first_name, organisation_id, version)"
            " VALUES ($1, $2, $3, $4, 1)", [(*child, organisation) for child in children])
        parents = [(uuid.uuid4(), family, organisation) for family in families]
        await connection.executemany(
            "INSERT INTO loc_parents (account_id, family_id, organisation_id, version) VALUES ($1, $2, $3, 1)",
            parents)
        parent = parents[0][0]
        await connection.execute("ANALYZE")
        for child in (None, children[0][0]):  # the family's feed, one child's timeline
            values = _FEED_READ.arguments({
                "account_uuid": parent, "organisation_id": organisation, "account_id": str(parent),
                "child_id": child, "before_at": None, "before_id": None, "page_size": 20, "count_unseen": True})
            # Before ix_loc_children_family_id: {'loc_children'}, 2,000 children read per feed.
            assert not await scanned_tables(connection, _FEED_READ.sql, values) & _FILLED
            assert (await plans_of(connection, _FEED_READ.sql, values))[0] > 0  # and kept on its generic plan
            rows = await connection.fetch(_FEED_READ.sql, *values)
            assert rows[0]["family_id"] == families[0]
            names = rows[0]["child_names"]
            names = json.loads(names) if isinstance(names, str) else names
            assert sorted(names.values()) == ["Kind 0", "Kind 1000"]  # the family's two children, no one else's
    finally:
        await connection.close()


_SERIES, _ENTRIES, _PAGE, _NEIGHBOURS = 300, 100, 20, 30


Items = list[tuple[datetime, uuid.UUID]]


class _Photos:
    """Rows of photo series (one photo each) to insert at once."""

    def __init__(self, organisation: uuid.UUID) -> None:
        self.organisation = organisation
        self.series: list[tuple] = []
        self.media: list[tuple] = []
        self.photos: list[tuple] = []
        self.tags: list[tuple] = []

    def post(self, at: datetime, tagged: list[tuple[uuid.UUID, uuid.UUID]], processing: str = "ready") -> uuid.UUID:
        """A series at `at` of one photo of the (child, family) pairs `tagged`."""
        series, photo, media = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        self.series.append((series, self.organisation, at))
        self.media.append((media, self.organisation, str(media), at, processing))
        self.photos.append((photo, series, self.organisation, media, at))
        self.tags += [(photo, child, family, series, self.organisation, at) for child, family in tagged]
        return series

    async def insert(self, connection: asyncpg.Connection) -> None:
        await connection.executemany(
            "INSERT INTO photo_series (series_id, organisation_id, location_id, group_id, posted_by_staff_id,"
            " posted_at) VALUES ($1, $2, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), $3)", self.series)
        await connection.executemany(
            "INSERT INTO timeline_media (media_id, organisation_id, media_base, status, uploaded_by, created_at,"
            " upload_expires_at, kind, processing) VALUES ($1, $2, $3, 'attached', 'staff', $4, $4, 'photo', $5)",
            self.media)
        await connection.executemany("INSERT INTO photos VALUES ($1, $2, $3, $4, 0, $5)", self.photos)
        await connection.executemany("INSERT INTO photo_tags VALUES ($1, $2, $3, $4, $5, $6)", self.tags)


async def _family_with_a_year_of_history(connection: asyncpg.Connection) -> tuple[dict, Items]:
    """A family (two children) with 300 photo series and 100 diary entries, among 30 other families with as many
    series. Every 7th series of the family also shows another family's child without photo consent, every 11th is
    still being processed: the family sees neither. Returns the statement's values for the parent's first page
    and the family's items newest first, as (at, id)."""
    organisation, family, parent = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    anna, ben = uuid.uuid4(), uuid.uuid4()
    neighbours = [(uuid.uuid4(), uuid.uuid4()) for _ in range(_NEIGHBOURS)]  # (child, family)
    stranger, other_family = neighbours[0]
    await connection.executemany(
        "INSERT INTO loc_children (child_id, family_id, first_name, organisation_id, version)"
        " VALUES ($1, $2, $3, $4, 1)",
        [(anna, family, "Anna", organisation), (ben, family, "Ben", organisation),
         *((child, owner, "Kind", organisation) for child, owner in neighbours)])
    await connection.execute("INSERT INTO loc_parents (account_id, family_id, organisation_id, version)"
                             " VALUES ($1, $2, $3, 1)", parent, family, organisation)
    await connection.executemany("INSERT INTO photo_consents VALUES ($1, $2, $3, now())",
                                 [(anna, organisation, True), (ben, organisation, True),
                                  *((child, organisation, child != stranger) for child, _ in neighbours)])
    start, items, posted = datetime(2026, 1, 5, 8, tzinfo=UTC), [], _Photos(organisation)
    for n in range(_SERIES):
        at = start + timedelta(hours=20 * n)
        tagged = [(anna if n % 2 else ben, family), *([(stranger, other_family)] if n % 7 == 0 else [])]
        series = posted.post(at, tagged, "processing" if n % 11 == 0 else "ready")
        if n % 7 and n % 11:
            items.append((at, series))
        for neighbour in neighbours[1:]:
            posted.post(at + timedelta(minutes=1), [neighbour])
    await posted.insert(connection)
    entries = [(uuid.uuid4(), start + timedelta(hours=60 * n, minutes=30)) for n in range(_ENTRIES)]
    await connection.executemany(
        "INSERT INTO diary_entries (entry_id, organisation_id, child_id, family_id, author_account_id, author_role,"
        " body, created_at) VALUES ($1, $2, $3, $4, 'staff', 'staff', 'Buiten gespeeld', $5)",
        [(entry, organisation, anna, family, at) for entry, at in entries])
    items += [(at, entry) for entry, at in entries]
    # As autovacuum leaves a table that has settled: its statistics, and its pages marked all-visible (which lets
    # PostgreSQL read a family's keys from the index alone).
    await connection.execute("VACUUM ANALYZE")
    values = {"account_uuid": parent, "organisation_id": organisation, "account_id": str(parent), "child_id": None,
              "before_at": None, "before_id": None, "page_size": _PAGE + 1, "count_unseen": True}
    return values, sorted(items, reverse=True)


async def test_the_feed_tests_the_photo_rule_on_the_page_not_on_the_history(migrated_database) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(await migrated_database(MIGRATIONS)))
    try:
        values, items = await _family_with_a_year_of_history(connection)
        # Page by page, by the cursor the service gives out: every item the family may see, once, newest first.
        paged, before = [], None
        while True:
            page = {**values, "before_at": before[0] if before else None, "before_id": before[1] if before else None}
            rows = [r for r in await connection.fetch(_FEED_READ.sql, *_FEED_READ.arguments(page)) if r["kind"]]
            paged += [(r["at"], r["item_id"]) for r in rows[:_PAGE]]
            if len(rows) <= _PAGE:
                break
            before = paged[-1]
        assert paged == items
        # The first page reads photos for the keys it tests and the series it shows (about two per item), not
        # one per tag of the family's 300 series (before: 300 and more).
        read = await rows_read(connection, _FEED_READ.sql, _FEED_READ.arguments({**values, "count_unseen": False}),
                               "photos")
        assert read <= 3 * _PAGE, read
        # And the keys are walked newest first from the index, up to the page: not every tag of the family's
        # history fetched and sorted first (before timeline 0008: 356 rows of photo_tags for this page).
        tags = await rows_read(connection, _FEED_READ.sql, _FEED_READ.arguments({**values, "count_unseen": False}),
                               "photo_tags")
        assert tags <= 5 * _PAGE, tags
        # Unseen: the items later than the parent's last look, counted without reading more of the history.
        await connection.execute("INSERT INTO feed_marks VALUES ($1, $2)", values["account_id"], items[4][0])
        first = await connection.fetch(_FEED_READ.sql, *_FEED_READ.arguments(values))
        assert first[0]["unseen"] == 4
        read = await rows_read(connection, _FEED_READ.sql, _FEED_READ.arguments(values), "photos")
        assert read <= 3 * _PAGE, read
    finally:
        await connection.close()
