"""Account tables: logins, one-time tokens, sessions with rotating refresh tokens, throttles, reset requests,
machine clients."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    LargeBinary,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)

from identity.db.models import metadata

accounts = Table(
    "accounts",
    metadata,
    Column("account_id", Uuid, primary_key=True),
    Column("organisation_id", Uuid, nullable=False, index=True),
    Column("role", Text, nullable=False),
    Column("email", Text, nullable=False),
    Column("email_normalized", Text, nullable=False, index=True),
    Column("display_name", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("phone", Text),
    Column("status", Text, nullable=False),  # invited | active | disabled
    Column("password_hash", Text),
    Column("password_changed_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("organisation_id", "email_normalized", name="accounts_org_email"),
)

one_time_tokens = Table(
    "one_time_tokens",
    metadata,
    Column("token_hash", LargeBinary, primary_key=True),
    Column("account_id", Uuid, ForeignKey("accounts.account_id"), nullable=False, index=True),
    Column("purpose", Text, nullable=False),  # invitation | password_reset
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Column("superseded_at", DateTime(timezone=True)),
)

sessions = Table(
    "sessions",
    metadata,
    Column("session_id", Uuid, primary_key=True),
    Column("account_id", Uuid, ForeignKey("accounts.account_id"), nullable=False, index=True),
    Column("device_id", Text, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("revoke_reason", Text),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", LargeBinary, primary_key=True),
    Column("session_id", Uuid, ForeignKey("sessions.session_id"), nullable=False, index=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("rotated_at", DateTime(timezone=True)),
)

# Failed-login counters with backoff (identity.domain.throttle): keys hold hashes, never raw e-mail addresses.
login_throttles = Table(
    "login_throttles",
    metadata,
    Column("throttle_key", Text, primary_key=True),  # pair:<e-mail hash>:<ip> | address:<ip> | email:… | device:…
    Column("kind", Text, nullable=False),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", DateTime(timezone=True), nullable=False),
    Column("locked_until", DateTime(timezone=True)),
)

# "Send a reset link to this address", written by the route for known and unknown addresses alike and
# worked off after the answer by identity.reset_worker (so the answer cannot tell whether an account exists).
password_reset_requests = Table(
    "password_reset_requests",
    metadata,
    Column("request_id", BigInteger, Identity(), primary_key=True),
    Column("email_normalized", Text, nullable=False),
    Column("correlation_id", Text),
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

machine_clients = Table(
    "machine_clients",
    metadata,
    Column("client_id", Text, primary_key=True),
    Column("organisation_id", Uuid, nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("secret_hash", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("revoked_at", DateTime(timezone=True)),
)
