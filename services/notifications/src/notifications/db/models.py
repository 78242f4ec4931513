"""Notifications tables (SQLAlchemy Core): the mail queue / delivery log and the read models mail is built from."""

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()

DELIVERY_STATUSES = ("pending", "sent", "failed")

# One row per message to one recipient over one channel: the durable queue the sender drains and,
# once sent or failed, the delivery log operators read.
deliveries = Table(
    "deliveries",
    metadata,
    Column("delivery_id", Uuid, primary_key=True),
    Column("event_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),
    Column("channel", Text, nullable=False, server_default="email"),
    Column("organisation_id", Uuid),
    Column("account_id", Uuid),
    Column("recipient", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("status", Text, nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    # Held pushes: a burst or the quiet-hours summary joins the pending row with the same key (per device).
    Column("collapse_key", Text),
    Column("collapsed_count", Integer, nullable=False, server_default="1"),
    # E-mail only: the From display name ("<organisation> via Konnect"), the organisation's Reply-To, and the
    # one-click unsubscribe URL of notification mails (none on account mails).
    Column("sender_name", Text),
    Column("reply_to", Text),
    Column("unsubscribe_url", Text),
    # A redelivered or replayed event never queues a second message for the same person and channel.
    UniqueConstraint("event_id", "recipient", "channel", name="deliveries_event_recipient_channel"),
    CheckConstraint("status IN ('pending', 'sent', 'failed')", name="deliveries_status"),
)
# The sender only scans pending rows by due time; a partial index keeps that scan small as the log grows.
Index("deliveries_due", deliveries.c.next_attempt_at, postgresql_where=text("status = 'pending'"))
# The operator looks addresses up case-insensitively.
Index("deliveries_recipient", func.lower(deliveries.c.recipient), deliveries.c.created_at)

# Who can be mailed about later events (request decided, ...), kept from identity's directory upserts.
# Keyed by role too: versions are per directory record, and a parent and a staff record are different records.
recipients = Table(
    "recipients",
    metadata,
    Column("account_id", Uuid, nullable=False),
    Column("role", Text, nullable=False),
    Column("organisation_id", Uuid, nullable=False),
    Column("family_id", Uuid),
    Column("email", Text),
    Column("display_name", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("account_id", "role"),
    CheckConstraint("role IN ('parent', 'staff')", name="recipients_role"),
)
Index("recipients_family", recipients.c.family_id)

# Children's first names for mail about requests and absences, kept from identity's ChildUpserted (newest
# version wins). A deleted child keeps a tombstone without a name, so a late upsert cannot bring it back.
children = Table(
    "children",
    metadata,
    Column("child_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("first_name", Text),
    Column("deleted", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
# A parent's inbox keeps items about the children of the family (db.inbox's rule): found by family once per read.
Index("children_family", children.c.family_id)

# The lines of submitted requests (from RequestSubmitted), so a later RequestDecided / RequestExpired mail can
# name each child's dates. Lines are JSON ({line_id, child_id, starts_on, ends_on, give_up_date}): they are only
# ever read whole, by request id, and never change once submitted.
requests = Table(
    "requests",
    metadata,
    Column("request_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),
    Column("lines", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# The organisations mail names as its sender (from identity's OrganisationUpserted, newest version wins).
organisations = Table(
    "organisations",
    metadata,
    Column("organisation_id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("email", Text),
    Column("logo_url", Text),
    Column("version", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
