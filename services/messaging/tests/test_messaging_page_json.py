"""The conversation page's and the conversation list's JSON, written straight from their rows, are byte for byte
what the documented answer models (ConversationOut with MessageOut and AttachmentOut; ConversationListOut with
ConversationSummary) write for the same rows. (Each message's own JSON is written by PostgreSQL when it is sent:
test_messaging_message_answers.py compares it with MessageOut.)"""

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from konnect_kit.answers import answer_bytes
from messaging.api.models import (
    ConversationListOut,
    ConversationOut,
    ConversationSummary,
    MessageOut,
    conversation_list,
    conversation_page,
)

# Whatever a parent can type or a name can hold: accents, emoji, quotes, backslashes, control characters.
free_text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=120)
ids = st.uuids()
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC))
# Keys in jsonb's order (shortest first), as PostgreSQL gives the stored description back.
attachment = st.fixed_dictionaries({
    "size": st.integers(0, 20_000_000), "file_name": st.none() | free_text,
    "content_type": st.sampled_from(["image/jpeg", "application/pdf"]), "attachment_id": ids.map(str)})
# A message as it was sent.
message_row = st.fixed_dictionaries({
    "seq": st.integers(1, 2**62), "message_id": ids.map(str), "sender_account_id": ids.map(str),
    "sender_name": free_text, "sender_role": st.sampled_from(["parent", "staff", "admin"]), "body": free_text,
    "sent_at": moments, "attachments": st.none() | st.lists(attachment, min_size=1, max_size=5)})
conversation = st.fixed_dictionaries({
    "conversation_id": ids, "organisation_id": ids, "subject": free_text, "child_id": st.none() | ids,
    "group_id": st.none() | ids, "family_id": ids, "broadcast_id": st.none() | ids, "created_at": moments,
    "last_seq": st.integers(0, 2**62), "read_seq": st.integers(0, 2**62)})


def message_out(head: dict, row: dict) -> MessageOut:
    return MessageOut.model_validate({**row, "conversation_id": head["conversation_id"], "text": row["body"],
                                      "attachments": row["attachments"] or []})


def with_models(head: dict, rows: list[dict], older_cursor: int | None) -> bytes:
    """The answer as the models write it (what the route returned before it wrote the JSON itself)."""
    return ConversationOut(
        **{key: head[key] for key in ("conversation_id", "subject", "child_id", "group_id", "family_id",
                                      "broadcast_id", "created_at")},
        messages=[message_out(head, row) for row in rows], older_cursor=older_cursor).model_dump_json().encode()


@settings(max_examples=150, deadline=None)
@given(head=conversation, rows=st.lists(message_row, max_size=6), older_cursor=st.none() | st.integers(1, 2**62))
def test_the_page_is_written_as_the_answer_model_writes_it(head: dict, rows: list[dict],
                                                           older_cursor: int | None) -> None:
    # As the page's statement gives them: each message's stored answer (MessageOut's JSON).
    stored = [message_out(head, row).model_dump_json() for row in rows]
    assert answer_bytes(conversation_page(head, stored, older_cursor)) == with_models(head, rows, older_cursor)


# A row of the list statement: the caller's unread count per conversation, the last message's preview and sender.
list_row = st.fixed_dictionaries({
    "conversation_id": ids, "subject": free_text, "child_id": st.none() | ids, "group_id": st.none() | ids,
    "family_id": ids, "broadcast_id": st.none() | ids, "last_message_at": moments,
    "last_sender_name": st.none() | free_text, "last_preview": st.just("") | free_text,
    "unread": st.integers(0, 2**31), "last_seq": st.integers(0, 2**62)})


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(list_row, max_size=6), unread_total=st.integers(0, 2**31),
       next_cursor=st.none() | st.integers(1, 2**62))
def test_the_list_is_written_as_the_answer_model_writes_it(rows: list[dict], unread_total: int,
                                                           next_cursor: int | None) -> None:
    modelled = ConversationListOut(items=[ConversationSummary(
        **{key: row[key] for key in ("conversation_id", "subject", "child_id", "group_id", "family_id",
                                     "broadcast_id", "last_message_at", "last_sender_name", "unread")},
        preview=row["last_preview"], activity=row["last_seq"]) for row in rows],
        unread_total=unread_total, next_cursor=next_cursor)
    assert answer_bytes(conversation_list(rows, unread_total, next_cursor)) == modelled.model_dump_json().encode()

