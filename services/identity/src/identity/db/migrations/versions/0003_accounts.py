"""Accounts, one-time tokens, sessions, refresh tokens, login throttles, machine clients."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = ("accounts",)
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("account_id", sa.Uuid, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False, index=True),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("email_normalized", sa.Text, nullable=False, index=True),
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("phone", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("password_hash", sa.Text),
        sa.Column("password_changed_at", _TS),
        sa.Column("created_at", _TS, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", _TS, nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("organisation_id", "email_normalized", name="accounts_org_email"),
    )
    op.create_table(
        "one_time_tokens",
        sa.Column("token_hash", sa.LargeBinary, primary_key=True),
        sa.Column("account_id", sa.Uuid, sa.ForeignKey("accounts.account_id"), nullable=False, index=True),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("expires_at", _TS, nullable=False),
        sa.Column("used_at", _TS),
        sa.Column("superseded_at", _TS),
    )
    op.create_table(
        "sessions",
        sa.Column("session_id", sa.Uuid, primary_key=True),
        sa.Column("account_id", sa.Uuid, sa.ForeignKey("accounts.account_id"), nullable=False, index=True),
        sa.Column("device_id", sa.Text, index=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("last_used_at", _TS, nullable=False),
        sa.Column("revoked_at", _TS),
        sa.Column("revoke_reason", sa.Text),
    )
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.LargeBinary, primary_key=True),
        sa.Column("session_id", sa.Uuid, sa.ForeignKey("sessions.session_id"), nullable=False, index=True),
        sa.Column("issued_at", _TS, nullable=False),
        sa.Column("rotated_at", _TS),
    )
    op.create_table(
        "login_throttles",
        sa.Column("throttle_key", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_started_at", _TS, nullable=False),
        sa.Column("locked_until", _TS),
    )
    op.create_table(
        "machine_clients",
        sa.Column("client_id", sa.Text, primary_key=True),
        sa.Column("organisation_id", sa.Uuid, nullable=False, index=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("secret_hash", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False, server_default=sa.func.now()),
        sa.Column("revoked_at", _TS),
    )


def downgrade() -> None:
    for table in ("machine_clients", "login_throttles", "refresh_tokens", "sessions", "one_time_tokens", "accounts"):
        op.drop_table(table)
