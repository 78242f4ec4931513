"""The feed and a child's timeline read a family's rows through indexes, never every child of every organisation."""

import json
import uuid

import asyncpg
from konnect_devstack.query_plans import plans_of, scanned_tables
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
