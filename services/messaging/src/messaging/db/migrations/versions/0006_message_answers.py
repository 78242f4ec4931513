"""Each message keeps its answer JSON, written once by PostgreSQL when it is sent: pages splice it instead of
building it on every read."""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# MessageOut as konnect_kit.answers writes it (orjson; what the model writes too): compact, keys in the model's
# order, text escaped as to_json escapes it (the same escapes as orjson: quote, backslash, control characters),
# UTC times with "Z" and the microseconds only when there are any, attachments' keys in AttachmentOut's order
# (jsonb keeps its own). tests/test_messaging_message_answers.py compares it with the model, byte for byte.
ANSWER = """
CREATE FUNCTION message_answer(m messages) RETURNS text LANGUAGE sql STABLE AS $$
SELECT concat('{"message_id":"', m.message_id, '","conversation_id":"', m.conversation_id,
              '","sender_account_id":"', m.sender_account_id, '","sender_name":', to_json(m.sender_name),
              ',"sender_role":', to_json(m.sender_role), ',"text":', to_json(m.body), ',"sent_at":"',
              to_char(m.sent_at AT TIME ZONE 'UTC',
                      CASE WHEN extract(microseconds FROM m.sent_at AT TIME ZONE 'UTC') % 1000000 = 0
                           THEN 'YYYY-MM-DD"T"HH24:MI:SS' ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US' END),
              'Z","attachments":[',
              (SELECT string_agg(concat('{"attachment_id":', a -> 'attachment_id', ',"content_type":',
                                        a -> 'content_type', ',"size":', a -> 'size', ',"file_name":',
                                        coalesce(a -> 'file_name', 'null'::jsonb), '}'), ',' ORDER BY n)
               FROM jsonb_array_elements(m.attachments) WITH ORDINALITY AS listed (a, n)),
              ']}')
$$"""

# Filled before the row is stored, by every way a message is inserted; the immutability trigger keeps it as sent.
WRITTEN = ("""
CREATE FUNCTION message_answer_written() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.answer := message_answer(NEW);
    RETURN NEW;
END
$$""", "CREATE TRIGGER messages_answer BEFORE INSERT ON messages FOR EACH ROW "
           "EXECUTE FUNCTION message_answer_written()")


def upgrade() -> None:
    op.execute("ALTER TABLE messages ADD COLUMN answer text")
    op.execute(ANSWER)
    # The messages sent before: the one update messages ever get, to this derived column only (the immutability
    # trigger and the revoked privilege are set aside for it, inside this transaction, and back after it).
    op.execute("ALTER TABLE messages DISABLE TRIGGER messages_no_update_or_delete")
    op.execute("GRANT UPDATE (answer) ON messages TO CURRENT_USER")
    op.execute("UPDATE messages SET answer = message_answer(messages)")
    op.execute("REVOKE UPDATE (answer) ON messages FROM CURRENT_USER")
    op.execute("ALTER TABLE messages ENABLE TRIGGER messages_no_update_or_delete")
    op.execute("ALTER TABLE messages ALTER COLUMN answer SET NOT NULL")
    for statement in WRITTEN:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER messages_answer ON messages")
    op.execute("DROP FUNCTION message_answer_written()")
    op.execute("ALTER TABLE messages DROP COLUMN answer")
    op.execute("DROP FUNCTION message_answer(messages)")
