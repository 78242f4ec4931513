"""Conversations, append-only messages (UPDATE/DELETE/TRUNCATE refused in the database), read state, directory."""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = """
CREATE TABLE conversations (
    conversation_id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL,
    family_id uuid NOT NULL,
    child_id uuid,
    group_id uuid,
    subject text NOT NULL,
    started_by_account_id uuid NOT NULL,
    started_by_role text NOT NULL,
    broadcast_id uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seq bigint NOT NULL DEFAULT 0,
    last_message_at timestamptz NOT NULL DEFAULT now(),
    last_preview text NOT NULL DEFAULT '',
    last_sender_name text,
    CONSTRAINT conversations_about_something CHECK (child_id IS NOT NULL OR group_id IS NOT NULL)
);
CREATE INDEX conversations_family ON conversations (family_id, last_message_at);
CREATE INDEX conversations_org_activity ON conversations (organisation_id, last_message_at);
CREATE INDEX conversations_group ON conversations (group_id);
CREATE INDEX conversations_child ON conversations (child_id);

CREATE TABLE messages (
    seq bigint GENERATED ALWAYS AS IDENTITY NOT NULL UNIQUE,
    message_id uuid PRIMARY KEY,
    conversation_id uuid NOT NULL REFERENCES conversations (conversation_id),
    organisation_id uuid NOT NULL,
    sender_account_id uuid NOT NULL,
    sender_role text NOT NULL,
    sender_name text NOT NULL,
    body text NOT NULL,
    attachments jsonb NOT NULL DEFAULT '[]'::jsonb,
    sent_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT messages_sender_role CHECK (sender_role IN ('parent', 'staff', 'admin'))
);
CREATE INDEX messages_conversation_seq ON messages (conversation_id, seq);

CREATE TABLE sent_requests (
    account_id uuid NOT NULL,
    idempotency_key text NOT NULL,
    kind text NOT NULL,
    request_hash text NOT NULL,
    result jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account_id, idempotency_key)
);

CREATE TABLE conversation_reads (
    conversation_id uuid NOT NULL REFERENCES conversations (conversation_id),
    account_id uuid NOT NULL,
    last_read_seq bigint NOT NULL,
    read_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (conversation_id, account_id)
);

CREATE TABLE directory_parents (
    account_id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL,
    family_id uuid NOT NULL,
    name text NOT NULL,
    deleted boolean NOT NULL DEFAULT false,
    version integer NOT NULL
);
CREATE INDEX directory_parents_family ON directory_parents (family_id);
CREATE TABLE directory_children (
    child_id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL,
    family_id uuid NOT NULL,
    first_name text NOT NULL,
    mentor_staff_id uuid,
    deleted boolean NOT NULL DEFAULT false,
    version integer NOT NULL
);
CREATE TABLE directory_staff (
    staff_id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL,
    account_id uuid,
    name text NOT NULL,
    group_ids uuid[] NOT NULL DEFAULT '{}',
    active boolean NOT NULL DEFAULT true,
    deleted boolean NOT NULL DEFAULT false,
    version integer NOT NULL
);
CREATE INDEX directory_staff_account ON directory_staff (account_id);
CREATE TABLE directory_groups (
    group_id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL,
    name text NOT NULL,
    deleted boolean NOT NULL DEFAULT false,
    version integer NOT NULL
);
CREATE TABLE directory_placements (
    placement_id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL,
    child_id uuid NOT NULL,
    family_id uuid NOT NULL,
    group_id uuid NOT NULL,
    starts_on date NOT NULL,
    ends_on date,
    deleted boolean NOT NULL DEFAULT false,
    version integer NOT NULL
);
CREATE INDEX directory_placements_child ON directory_placements (child_id);
CREATE INDEX directory_placements_group ON directory_placements (group_id);
"""

# A sent message is final. Triggers hold for every database user, the table owner and a superuser included
# (privileges alone do not bind an owner or superuser); the REVOKE makes a non-owner role fail even earlier.
IMMUTABLE = ("""
CREATE FUNCTION messages_are_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'messages are immutable: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'A correction is a new message.';
END
$$""",
    "CREATE TRIGGER messages_no_update_or_delete BEFORE UPDATE OR DELETE ON messages "
    "FOR EACH ROW EXECUTE FUNCTION messages_are_immutable()",
    "CREATE TRIGGER messages_no_truncate BEFORE TRUNCATE ON messages "
    "FOR EACH STATEMENT EXECUTE FUNCTION messages_are_immutable()",
    "REVOKE UPDATE, DELETE, TRUNCATE ON messages FROM PUBLIC",
    "REVOKE UPDATE, DELETE, TRUNCATE ON messages FROM CURRENT_USER",
)


def upgrade() -> None:
    # One statement per call: the asyncpg driver prepares each statement on its own.
    for statement in (*(s for s in TABLES.split(";\n") if s.strip()), *IMMUTABLE):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE directory_placements, directory_groups, directory_staff, directory_children, "
               "directory_parents, conversation_reads, sent_requests, messages, conversations")
    op.execute("DROP FUNCTION messages_are_immutable()")
