"""The inbox's hot reads keep one generic plan in PostgreSQL instead of being planned again on every read."""

import uuid

import asyncpg
from konnect_devstack.query_plans import plans_of, scanned_tables
from konnect_kit.db import asyncpg_dsn
from notifications.db.inbox import _PAGE_READ, _UNREAD_READ

# An organisation's accounts are not alike: a parent of three children who never opens the app collects hundreds
# of items, most parents a handful. With statistics that show it, PostgreSQL found the badge's custom plan for a
# small account cheaper than its generic plan and planned the statement on every read (bench/PROFILE-read-paths.md,
# round 13: the planner was 66% of PostgreSQL's time per badge).
_BUSY_ITEMS, _QUIET_ACCOUNTS, _QUIET_ITEMS = 600, 120, 3


async def _skewed_inbox(connection: asyncpg.Connection) -> tuple[uuid.UUID, uuid.UUID]:
    """One busy parent and many quiet ones, with their statistics; (busy, quiet) account ids."""
    organisation, busy = uuid.uuid4(), uuid.uuid4()
    quiet = [uuid.uuid4() for _ in range(_QUIET_ACCOUNTS)]
    accounts = [(busy, _BUSY_ITEMS)] + [(a, _QUIET_ITEMS) for a in quiet]
    await connection.executemany(
        "INSERT INTO recipients (account_id, role, organisation_id, family_id, display_name, language, active,"
        " version) VALUES ($1, 'parent', $2, $3, 'P', 'nl', true, 1)",
        [(account, organisation, uuid.uuid4()) for account, _ in accounts])
    await connection.executemany(
        "INSERT INTO inbox_items (item_id, seq, account_id, organisation_id, kind, subject_id, child_ids, params,"
        " link, created_at, read_at) VALUES ($1, nextval('inbox_seq'), $2, $3, 'photo', $1, '{}', '{}', '/', now(),"
        " CASE WHEN $4 THEN NULL ELSE now() END)",
        [(uuid.uuid4(), account, organisation, n % 3 == 0) for account, items in accounts for n in range(items)])
    await connection.execute("ANALYZE inbox_items; ANALYZE recipients")
    return busy, quiet[0]


async def test_a_parents_inbox_finds_the_familys_children_by_index(notifications_env) -> None:
    """A parent's items about a child show while the child is in the family. The family's children are looked up
    by family, not found by reading every child the service knows (2,000 here, an organisation's worth)."""
    connection = await asyncpg.connect(asyncpg_dsn(notifications_env.database_url))
    try:
        organisation, parent, family = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        own, moved = uuid.uuid4(), uuid.uuid4()  # `moved` went to another family
        others = [(uuid.uuid4(), uuid.uuid4()) for _ in range(1_000)]  # (child, family), two children each
        await connection.executemany(
            "INSERT INTO children (child_id, organisation_id, family_id, first_name, deleted, version)"
            " VALUES ($1, $2, $3, 'Kind', false, 1)",
            [(own, organisation, family), (moved, organisation, uuid.uuid4()),
             *((child, organisation, other) for child, other in others),
             *((uuid.uuid4(), organisation, other) for _, other in others)])
        await connection.execute(
            "INSERT INTO recipients (account_id, role, organisation_id, family_id, display_name, language, active,"
            " version) VALUES ($1, 'parent', $2, $3, 'P', 'nl', true, 1)", parent, organisation, family)
        await connection.executemany(
            "INSERT INTO inbox_items (item_id, seq, account_id, organisation_id, kind, subject_id, child_ids, params,"
            " link, created_at) VALUES ($1, nextval('inbox_seq'), $2, $3, 'photo', $1, $4, '{}', '/', now())",
            [(uuid.uuid4(), parent, organisation, children) for children in ([own], [moved], [own, moved], [])])
        await connection.execute("ANALYZE")
        badge = _UNREAD_READ.arguments({"account_id": parent})
        page = _PAGE_READ.arguments({"account_id": parent, "before": None, "n": 21})
        assert await connection.fetchval(_UNREAD_READ.sql, *badge) == 3  # not the one about `moved` alone
        rows = await connection.fetch(_PAGE_READ.sql, *page)
        assert sorted(len(row["child_ids"]) for row in rows) == [0, 1, 2]
        for sql, values in ((_UNREAD_READ.sql, badge), (_PAGE_READ.sql, page)):
            assert "children" not in await scanned_tables(connection, sql, values)
    finally:
        await connection.close()


async def test_the_badge_and_the_inbox_page_are_not_planned_on_every_read(notifications_env) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(notifications_env.database_url))
    try:
        busy, quiet = await _skewed_inbox(connection)
        for account in (quiet, busy):
            badge = await plans_of(connection, _UNREAD_READ.sql, _UNREAD_READ.arguments({"account_id": account}))
            page = await plans_of(connection, _PAGE_READ.sql,
                                  _PAGE_READ.arguments({"account_id": account, "before": None, "n": 21}))
            # Five custom plans while PostgreSQL learns the statement, then the generic one for every read.
            assert badge == (5, 5) and page == (5, 5), (account == busy, badge, page)
        # The counts themselves: a third of each account's items are unread.
        assert await connection.fetchval(_UNREAD_READ.sql, *_UNREAD_READ.arguments({"account_id": busy})) == 200
        assert await connection.fetchval(_UNREAD_READ.sql, *_UNREAD_READ.arguments({"account_id": quiet})) == 1
    finally:
        await connection.close()
