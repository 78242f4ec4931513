"""The conversation list keeps one generic plan in PostgreSQL instead of being planned again on every read."""

import uuid
from datetime import date

import asyncpg
from konnect_kit.db import asyncpg_dsn, plans_of
from messaging.db.conversations import _LIST

# Organisations are not alike: a big one with thousands of conversations beside a small one with a few. With
# statistics that show it, PostgreSQL found the list's custom plan for the small organisation far cheaper than its
# generic plan and planned the statement on every read (bench/PROFILE-read-paths.md, round 13: the planner was
# 76% of PostgreSQL's time per conversation list).
_BIG_FAMILIES, _PER_FAMILY = 100, 40


async def _organisations(connection: asyncpg.Connection) -> dict[str, tuple[uuid.UUID, uuid.UUID]]:
    """A big organisation and a small one, each with a parent: name -> (organisation, parent's account)."""
    found = {}
    for name, families in (("big", _BIG_FAMILIES), ("small", 1)):
        organisation = uuid.uuid4()
        parents = [(uuid.uuid4(), uuid.uuid4()) for _ in range(families)]  # (account, family)
        await connection.executemany(
            "INSERT INTO directory_parents (account_id, organisation_id, family_id, name, version)"
            " VALUES ($1, $2, $3, 'P', 1)", [(account, organisation, family) for account, family in parents])
        conversations = [(uuid.uuid4(), organisation, family, account) for account, family in parents
                         for _ in range(_PER_FAMILY if name == "big" else 2)]
        await connection.executemany(
            "INSERT INTO conversations (conversation_id, organisation_id, family_id, child_id, subject,"
            " started_by_account_id, started_by_role) VALUES ($1, $2, $3, gen_random_uuid(), 'S', $4, 'parent')",
            conversations)
        await connection.executemany(
            "INSERT INTO messages (message_id, conversation_id, organisation_id, sender_account_id, sender_role,"
            " sender_name, body) VALUES (gen_random_uuid(), $1, $2, $3, 'parent', 'P', 'hallo')",
            [(conversation, organisation, account) for conversation, organisation, _, account in conversations])
        found[name] = (organisation, parents[0][0])
    await connection.execute("ANALYZE conversations; ANALYZE messages; ANALYZE directory_parents")
    return found


async def test_the_conversation_list_is_not_planned_on_every_read(messaging_env) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(messaging_env.database_url))
    try:
        for name, (organisation, account) in (await _organisations(connection)).items():
            for role in ("parent", "admin"):
                values = {"account_id": account, "organisation_id": organisation, "day": date.today(),
                          "before": None, "n": 21}
                plans = await plans_of(connection, _LIST[role].sql, _LIST[role].arguments(values))
                # Five custom plans while PostgreSQL learns the statement, then the generic one for every read.
                assert plans == (5, 5), (name, role, plans)
                rows = await connection.fetch(_LIST[role].sql, *_LIST[role].arguments(values))
                listed = 2 if name == "small" else 21
                assert len(rows) == listed, (name, role, len(rows))
    finally:
        await connection.close()
