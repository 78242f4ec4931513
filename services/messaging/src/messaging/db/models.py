"""Messaging tables (SQLAlchemy Core): conversations, immutable messages, read state, directory read models."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

metadata = MetaData()

# A conversation is always with one family (its parents are the parent side); it is about a child of that
# family and/or one group. Who else takes part (staff, mentor, admins) is decided from the directory read
# models at the moment of asking, so a directory change affects access from then on without rewriting rows.
# `last_*` columns are the list's preview: the conversation row is mutable, its messages never are.
conversations = Table(
    "conversations",
    metadata,
    Column("conversation_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("child_id", Uuid),
    Column("group_id", Uuid),
    Column("subject", Text, nullable=False),
    Column("started_by_account_id", Uuid, nullable=False),
    Column("started_by_role", Text, nullable=False),
    # A staff message to a whole group makes one conversation per family, all with the same broadcast id.
    Column("broadcast_id", Uuid),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_seq", BigInteger, nullable=False, server_default="0"),
    Column("last_message_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_preview", Text, nullable=False, server_default=""),
    Column("last_sender_name", Text),
    CheckConstraint("child_id IS NOT NULL OR group_id IS NOT NULL", name="conversations_about_something"),
)
Index("conversations_family", conversations.c.family_id, conversations.c.last_message_at)
Index("conversations_org_activity", conversations.c.organisation_id, conversations.c.last_message_at)
Index("conversations_group", conversations.c.group_id)
Index("conversations_child", conversations.c.child_id)

# Append-only: the migration installs triggers that refuse UPDATE, DELETE and TRUNCATE (for every database
# user, the service's own included) and revokes those privileges. `seq` orders messages and is the cursor.
messages = Table(
    "messages",
    metadata,
    Column("seq", BigInteger, Identity(always=True), nullable=False, unique=True),
    Column("message_id", Uuid, primary_key=True),
    Column("conversation_id", Uuid, ForeignKey("conversations.conversation_id"), nullable=False),
    Column("organisation_id", Uuid, nullable=False),
    Column("sender_account_id", Uuid, nullable=False),
    Column("sender_role", Text, nullable=False),
    Column("sender_name", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("attachments", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("sent_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # MessageOut's JSON, written by PostgreSQL as the row is inserted (migration 0006's trigger; never given by
    # the code): conversation pages splice it.
    Column("answer", Text, nullable=False),
    CheckConstraint("sender_role IN ('parent', 'staff', 'admin')", name="messages_sender_role"),
)
Index("messages_conversation_seq", messages.c.conversation_id, messages.c.seq)

# A client's retry with the same Idempotency-Key finds what the first attempt made: one row per key and
# sender, written in the same transaction as the message(s) it names (the unique key serialises racers).
sent_requests = Table(
    "sent_requests",
    metadata,
    Column("account_id", Uuid, nullable=False),
    Column("idempotency_key", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("request_hash", Text, nullable=False),
    Column("result", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("account_id", "idempotency_key"),
)
Index("sent_requests_created", sent_requests.c.created_at)  # pruning keys past their retention

# Read state per account (both separated parents, each staff member), never per family.
conversation_reads = Table(
    "conversation_reads",
    metadata,
    Column("conversation_id", Uuid, ForeignKey("conversations.conversation_id"), nullable=False),
    Column("account_id", Uuid, nullable=False),
    Column("last_read_seq", BigInteger, nullable=False),
    Column("read_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("conversation_id", "account_id"),
)

# Read models of identity's directory (versions only move forward; deleted records stay as tombstones).
directory_parents = Table(
    "directory_parents",
    metadata,
    Column("account_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("name", Text, nullable=False),
    Column("deleted", Boolean, nullable=False, server_default="false"),
    Column("version", Integer, nullable=False),
)
Index("directory_parents_family", directory_parents.c.family_id)
directory_children = Table(
    "directory_children",
    metadata,
    Column("child_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("first_name", Text, nullable=False),
    Column("mentor_staff_id", Uuid),
    Column("deleted", Boolean, nullable=False, server_default="false"),
    Column("version", Integer, nullable=False),
)
# A staff member's mentored children (messaging 0005): asked by every staff list and conversation.
Index("directory_children_mentor", directory_children.c.mentor_staff_id,
      postgresql_where=directory_children.c.mentor_staff_id.is_not(None))
directory_staff = Table(
    "directory_staff",
    metadata,
    Column("staff_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("account_id", Uuid),
    Column("name", Text, nullable=False),
    Column("group_ids", ARRAY(Uuid), nullable=False, server_default="{}"),
    Column("active", Boolean, nullable=False, server_default="true"),
    Column("deleted", Boolean, nullable=False, server_default="false"),
    Column("version", Integer, nullable=False),
)
Index("directory_staff_account", directory_staff.c.account_id)
directory_groups = Table(
    "directory_groups",
    metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("name", Text, nullable=False),
    Column("deleted", Boolean, nullable=False, server_default="false"),
    Column("version", Integer, nullable=False),
)
directory_placements = Table(
    "directory_placements",
    metadata,
    Column("placement_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("child_id", Uuid, nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("group_id", Uuid, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date),
    Column("deleted", Boolean, nullable=False, server_default="false"),
    Column("version", Integer, nullable=False),
)
Index("directory_placements_child", directory_placements.c.child_id)
Index("directory_placements_group", directory_placements.c.group_id)

# An uploaded file of one account: `pending` until confirmed through the media pipeline (type from the bytes,
# size limit, photo metadata stripped), then `ready`; a message copies its description into `messages.attachments`.
message_attachments = Table(
    "message_attachments",
    metadata,
    Column("attachment_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("account_id", Uuid, nullable=False),
    Column("file_name", Text, nullable=False),
    Column("media_base", Text, nullable=False, unique=True),
    Column("status", Text, nullable=False, server_default="pending"),
    Column("content_type", Text),
    Column("size_bytes", BigInteger),
    Column("upload_expires_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("status IN ('pending', 'ready')", name="message_attachments_status"),
)
Index("message_attachments_account", message_attachments.c.account_id)
Index("message_attachments_pending", message_attachments.c.upload_expires_at,
      postgresql_where=message_attachments.c.status == "pending")  # pruning uploads never confirmed
