"""The conversation list keeps one generic plan in PostgreSQL instead of being planned again on every read."""

import uuid
from datetime import date

import asyncpg
from konnect_devstack.query_plans import plans_of
from konnect_kit.db import asyncpg_dsn
from messaging.db.conversations import _LIST

# Organisations are not alike: a big one with thousands of conversations beside a small one with a few. On the
# bench's data (a 115,000-conversation organisation beside the demo's three), PostgreSQL found a parent's list's
# custom plan for the small organisation far cheaper than its generic plan and planned the statement on every read
# (bench/PROFILE-read-paths.md, round 13: the planner was 76% of PostgreSQL's time per list). This smaller world
# does not make the old statement do that; it holds the list to one generic plan on skewed statistics.
_BIG_FAMILIES, _PER_FAMILY, _MESSAGES = 200, 40, 4


async def _organisations(connection: asyncpg.Connection) -> dict[str, tuple[uuid.UUID, uuid.UUID]]:
    """A big organisation and a small one, each with a parent: name -> (organisation, parent's account)."""
    found = {}
    for name, families in (("big", _BIG_FAMILIES), ("small", 1)):
        organisation = uuid.uuid4()
        parents = [(uuid.uuid4(), uuid.uuid4()) for _ in range(families)]  # (account, family)
        await connection.executemany(
            "INSERT INTO directory_parents (account_id, organisation_id, family_id, name, version)"
            " VALUES ($1, $2, $3, 'P', 1)", [(account, organisation, family) for account, family in parents])
        # Families differ too: a few with many conversations (group messages fanned out), most with some.
        conversations = [(uuid.uuid4(), organisation, family, account) for n, (account, family) in enumerate(parents)
                         for _ in range((_PER_FAMILY if n % 10 else 4 * _PER_FAMILY) if name == "big" else 2)]
        await connection.executemany(
            "INSERT INTO conversations (conversation_id, organisation_id, family_id, child_id, subject,"
            " started_by_account_id, started_by_role) VALUES ($1, $2, $3, gen_random_uuid(), 'S', $4, 'parent')",
            conversations)
        await connection.executemany(
            "INSERT INTO messages (message_id, conversation_id, organisation_id, sender_account_id, sender_role,"
            " sender_name, body) VALUES (gen_random_uuid(), $1, $2, $3, 'parent', 'P', 'hallo')",
            [(conversation, organisation, account) for conversation, organisation, _, account in conversations
             for _ in range(_MESSAGES)])
        found[name] = (organisation, parents[0][0])
    await connection.execute("ANALYZE conversations; ANALYZE messages; ANALYZE directory_parents")
    return found


async def test_the_conversation_list_is_not_planned_on_every_read(messaging_env) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(messaging_env.database_url))
    try:
        for name, (organisation, account) in (await _organisations(connection)).items():
            values = {"account_id": account, "organisation_id": organisation, "day": date.today(),
                      "before": None, "n": 21}
            plans = await plans_of(connection, _LIST["parent"].sql, _LIST["parent"].arguments(values))
            # Five custom plans while PostgreSQL learns the statement, then the generic one for every read.
            assert plans == (5, 5), (name, plans)
            for role in ("parent", "admin"):
                rows = await connection.fetch(_LIST[role].sql, *_LIST[role].arguments(values))
                assert len(rows) == (2 if name == "small" else 21), (name, role, len(rows))  # n = 21
    finally:
        await connection.close()


async def test_the_unread_total_counts_every_conversation_beyond_the_page(messaging_env) -> None:
    """Each conversation's unread messages are the others' messages after what the account has read; the total is
    their sum over every conversation the account may read, also those the page (one conversation) leaves out."""
    connection = await asyncpg.connect(asyncpg_dsn(messaging_env.database_url))
    try:
        organisation, family, parent, staff, admin = (uuid.uuid4() for _ in range(5))
        await connection.execute("INSERT INTO directory_parents (account_id, organisation_id, family_id, name,"
                                 " version) VALUES ($1, $2, $3, 'P', 1)", parent, organisation, family)
        # Per conversation: who wrote each message in order, and after which of them the parent read (None: never).
        plan = {"two unread": (["staff", "staff", "parent", "staff", "staff"], 1),
                "never read": (["staff", "parent", "staff"], None),
                "all read": (["staff", "parent"], 1),
                "own after read": (["staff", "parent", "parent"], 0)}
        expected_parent, expected_admin = {}, 0
        for subject, (writers, read_after) in plan.items():
            conversation = uuid.uuid4()
            await connection.execute(
                "INSERT INTO conversations (conversation_id, organisation_id, family_id, child_id, subject,"
                " started_by_account_id, started_by_role) VALUES ($1, $2, $3, gen_random_uuid(), $4, $5, 'parent')",
                conversation, organisation, family, subject, parent)
            seqs = [await connection.fetchval(
                "INSERT INTO messages (message_id, conversation_id, organisation_id, sender_account_id, sender_role,"
                " sender_name, body) VALUES (gen_random_uuid(), $1, $2, $3, $4, 'X', 'hallo') RETURNING seq",
                conversation, organisation, parent if who == "parent" else staff, who) for who in writers]
            if read_after is not None:
                await connection.execute("INSERT INTO conversation_reads (conversation_id, account_id, last_read_seq)"
                                         " VALUES ($1, $2, $3)", conversation, parent, seqs[read_after])
            expected_parent[subject] = sum(1 for n, who in enumerate(writers)
                                           if who == "staff" and (read_after is None or n > read_after))
            expected_admin += len(writers)  # the administrator wrote none and read none
        for role, account, expected in (("parent", parent, sum(expected_parent.values())), ("admin", admin,
                                                                                             expected_admin)):
            for n in (1, 10):
                values = {"account_id": account, "organisation_id": organisation, "day": date.today(),
                          "before": None, "n": n}
                rows = await connection.fetch(_LIST[role].sql, *_LIST[role].arguments(values))
                assert len(rows) == min(n, len(plan)) and rows[0]["unread_total"] == expected, (role, n, rows)
        rows = await connection.fetch(_LIST["parent"].sql, *_LIST["parent"].arguments(
            {"account_id": parent, "organisation_id": organisation, "day": date.today(), "before": None, "n": 10}))
        assert {row["subject"]: row["unread"] for row in rows} == expected_parent == {
            "two unread": 2, "never read": 2, "all read": 0, "own after read": 0}
    finally:
        await connection.close()
