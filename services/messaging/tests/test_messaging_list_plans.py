"""The conversation list keeps one generic plan in PostgreSQL instead of being planned again on every read."""

import uuid
from datetime import date, timedelta

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
            await connection.execute("UPDATE conversations SET last_seq = $2 WHERE conversation_id = $1",
                                     conversation, seqs[-1])  # as appending a message does (the list's order)
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
        # Page by page (one each, by the cursor): the same conversations newest first, the total on every page,
        # and past the oldest a page with the total alone.
        walked, before = [], None
        while True:
            page = await connection.fetch(_LIST["parent"].sql, *_LIST["parent"].arguments(
                {"account_id": parent, "organisation_id": organisation, "day": date.today(), "before": before,
                 "n": 1}))
            assert page[0]["unread_total"] == sum(expected_parent.values()), page
            if page[0]["conversation_id"] is None:
                break
            walked.append((page[0]["subject"], page[0]["unread"]))
            before = page[0]["last_seq"]
        assert walked == [(row["subject"], row["unread"]) for row in rows] and len(walked) == len(plan)
    finally:
        await connection.close()


async def test_a_staff_members_list_holds_exactly_the_conversations_the_rule_lets_through(messaging_env) -> None:
    """The staff list finds its conversations by the children and groups it may see (an index condition) instead
    of testing every conversation of the organisation. The visibility rule decides, so every case of the rule is
    here, beside conversations that only look alike: each visible one is listed, no other, and the unread total
    counts the others' messages after what the staff member read, in those only."""
    connection = await asyncpg.connect(asyncpg_dsn(messaging_env.database_url))
    try:
        organisation, elsewhere = uuid.uuid4(), uuid.uuid4()
        mine, other = uuid.uuid4(), uuid.uuid4()  # the staff member's group, and a group of someone else
        staff, account, colleague = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        await connection.execute(
            "INSERT INTO directory_staff (staff_id, organisation_id, account_id, name, group_ids, version)"
            " VALUES ($1, $2, $3, 'S', $4, 1)", staff, organisation, account, [mine])
        today = date.today()
        day = timedelta(days=1)
        children: dict[str, uuid.UUID] = {}

        async def child(name: str, placements: list[tuple[uuid.UUID, date | None, bool]], *,
                        mentor: uuid.UUID | None = None, deleted: bool = False) -> uuid.UUID:
            children[name] = found = uuid.uuid4()
            await connection.execute(
                "INSERT INTO directory_children (child_id, organisation_id, family_id, first_name, mentor_staff_id,"
                " deleted, version) VALUES ($1, $2, gen_random_uuid(), $3, $4, $5, 1)",
                found, organisation, name, mentor, deleted)
            for group, ends_on, gone in placements:
                await connection.execute(
                    "INSERT INTO directory_placements (placement_id, organisation_id, child_id, family_id, group_id,"
                    " starts_on, ends_on, deleted, version) VALUES (gen_random_uuid(), $1, $2, gen_random_uuid(),"
                    " $3, $4, $5, $6, 1)", organisation, found, group, today - 300 * day, ends_on, gone)
            return found

        in_my_group = await child("in my group", [(mine, None, False)])
        leaves_today = await child("leaves today", [(mine, today, False)])
        moved_in = await child("moved in", [(other, today - day, False), (mine, None, False)])
        moved_out = await child("moved out", [(mine, today - day, False), (other, None, False)])
        mentored = await child("mentored", [(other, None, False)], mentor=staff)
        mentored_gone = await child("mentored, deleted", [(other, None, False)], mentor=staff, deleted=True)
        tombstone = await child("placement deleted", [(mine, None, True)])
        stranger = await child("other group", [(other, None, False)])
        # subject -> (organisation, child, group, visible to the staff member)
        plan = {
            "about a child in my group": (organisation, in_my_group, mine, True),
            "about a child whose last day is today": (organisation, leaves_today, mine, True),
            "about a child who moved into my group, from its old group": (organisation, moved_in, other, True),
            "about a child who moved out of my group": (organisation, moved_out, mine, False),
            "about a child I mentor, in another group": (organisation, mentored, other, True),
            "about a deleted child I mentored": (organisation, mentored_gone, other, False),
            "about a child whose placement was deleted": (organisation, tombstone, mine, False),
            "about a child of another group": (organisation, stranger, other, False),
            "to my group": (organisation, None, mine, True),
            "to another group": (organisation, None, other, False),
            "my group's id at another organisation": (elsewhere, None, mine, False),
            "a child of my group at another organisation": (elsewhere, in_my_group, mine, False),
        }
        expected_unread = 0
        for n, (subject, (owner, about, group, visible)) in enumerate(plan.items()):
            conversation = uuid.uuid4()
            await connection.execute(
                "INSERT INTO conversations (conversation_id, organisation_id, family_id, child_id, group_id, subject,"
                " started_by_account_id, started_by_role) VALUES ($1, $2, gen_random_uuid(), $3, $4, $5, $6,"
                " 'staff')", conversation, owner, about, group, subject, colleague)
            seqs = [await connection.fetchval(
                "INSERT INTO messages (message_id, conversation_id, organisation_id, sender_account_id, sender_role,"
                " sender_name, body) VALUES (gen_random_uuid(), $1, $2, $3, 'staff', 'X', 'hallo') RETURNING seq",
                conversation, owner, account if k == 1 else colleague) for k in range(4)]
            read_after = n % 3 - 1  # -1: never read; else after that message
            if read_after >= 0:
                await connection.execute("INSERT INTO conversation_reads (conversation_id, account_id, last_read_seq)"
                                         " VALUES ($1, $2, $3)", conversation, account, seqs[read_after])
            if visible:  # the colleague's messages (all but the second) after what was read
                expected_unread += sum(1 for k in range(4) if k != 1 and k > read_after)
        await connection.execute("ANALYZE")
        shown = {subject for subject, (*_, visible) in plan.items() if visible}
        values = {"account_id": account, "organisation_id": organisation, "day": today, "before": None, "n": 50}
        rows = await connection.fetch(_LIST["staff"].sql, *_LIST["staff"].arguments(values))
        assert {row["subject"] for row in rows} == shown
        assert rows[0]["unread_total"] == expected_unread == sum(row["unread"] for row in rows)
        for n in (1, 2):  # a page leaves conversations out, the total does not
            page = await connection.fetch(_LIST["staff"].sql, *_LIST["staff"].arguments({**values, "n": n}))
            assert len(page) == n and page[0]["unread_total"] == expected_unread
    finally:
        await connection.close()
