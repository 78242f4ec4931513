"""Each message's answer JSON, written by PostgreSQL as the message is inserted (migration 0006), is byte for byte
what MessageOut writes for it: conversation pages and replies send it as it is stored."""

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from konnect_kit.db import asyncpg_dsn
from messaging.api.models import MessageOut

# Whatever a parent can type or a name can hold: accents, emoji, quotes, backslashes, control characters (not NUL:
# PostgreSQL's text cannot hold it).
free_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1,
                    max_size=120)
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC))
attachment = st.fixed_dictionaries({
    "attachment_id": st.uuids().map(str), "content_type": st.sampled_from(["image/jpeg", "application/pdf"]),
    "size": st.integers(0, 20_000_000), "file_name": st.none() | free_text})
message = st.fixed_dictionaries({
    "sender_name": free_text, "sender_role": st.sampled_from(["parent", "staff", "admin"]), "body": free_text,
    "sent_at": moments, "attachments": st.lists(attachment, max_size=5)})

_INSERT = ("INSERT INTO messages (message_id, conversation_id, organisation_id, sender_account_id, sender_role,"
           " sender_name, body, attachments, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)"
           " RETURNING answer")


async def _stored_answer(dsn: str, sent: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Sends `sent` in a conversation of its own: the message's columns and its stored answer."""
    connection = await asyncpg.connect(dsn)
    try:
        conversation, organisation, sender = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        await connection.execute(
            "INSERT INTO conversations (conversation_id, organisation_id, family_id, child_id, subject,"
            " started_by_account_id, started_by_role) VALUES ($1, $2, gen_random_uuid(), gen_random_uuid(), 'S',"
            " $3, 'parent')", conversation, organisation, sender)
        columns = {"message_id": uuid.uuid4(), "conversation_id": conversation, "sender_account_id": sender, **sent}
        answer = await connection.fetchval(
            _INSERT, columns["message_id"], conversation, organisation, sender, sent["sender_role"],
            sent["sender_name"], sent["body"], json.dumps(sent["attachments"]), sent["sent_at"])
        return columns, answer
    finally:
        await connection.close()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sent=message)
# On the second and between: the microseconds are written only when there are any, always six digits.
@example({"sender_name": "Anne", "sender_role": "parent", "body": "Tot straks", "attachments": [],
          "sent_at": datetime(2026, 12, 2, 7, 30, tzinfo=UTC)})
@example({"sender_name": 'Jan "Juf" \\ Bakker', "sender_role": "staff", "body": "a\x01\x1f\x7f\u2028é\n\t\r\b\f😀",
          "sent_at": datetime(2026, 12, 2, 7, 30, 0, 120, tzinfo=UTC),
          "attachments": [{"attachment_id": str(uuid.uuid4()), "content_type": "image/jpeg", "size": 0,
                           "file_name": None},
                          {"attachment_id": str(uuid.uuid4()), "content_type": "application/pdf", "size": 12345678,
                           "file_name": "Menu week 49 é.pdf"}]})
def test_the_stored_answer_is_what_the_answer_model_writes(messaging_env, sent: dict[str, Any]) -> None:
    columns, answer = asyncio.run(_stored_answer(asyncpg_dsn(messaging_env.database_url), sent))
    assert answer == MessageOut.model_validate({**columns, "text": sent["body"]}).model_dump_json()


async def test_the_stored_answer_cannot_be_changed(messaging_env) -> None:
    sent = {"sender_name": "Anne", "sender_role": "parent", "body": "Tot straks", "attachments": [],
            "sent_at": datetime(2026, 12, 2, 7, 30, tzinfo=UTC)}
    dsn = asyncpg_dsn(messaging_env.database_url)
    columns, _ = await _stored_answer(dsn, sent)
    connection = await asyncpg.connect(dsn)
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="immutable"):
            await connection.execute("UPDATE messages SET answer = '{}' WHERE message_id = $1", columns["message_id"])
        # Given by the insert or not, the answer is PostgreSQL's: what a writer puts there is replaced.
        forged = await connection.fetchval(
            "INSERT INTO messages (message_id, conversation_id, organisation_id, sender_account_id, sender_role,"
            " sender_name, body, answer) SELECT gen_random_uuid(), conversation_id, organisation_id,"
            " sender_account_id, 'parent', 'Anne', 'echt', '{\"text\":\"vals\"}' FROM messages WHERE message_id = $1"
            " RETURNING answer", columns["message_id"])
        assert json.loads(forged)["text"] == "echt"
    finally:
        await connection.close()
