"""Login throttles with backoff per (e-mail, address), address, e-mail and known device; reset request queue.

The old throttle rows (keyed by the raw e-mail address, hard 15-minute locks) are short-lived counters with
no lasting value: the table is recreated rather than converted.
"""

import sqlalchemy as sa
from alembic import op

# A name rather than the next number: other branches of the accounts tables may add their own "0004".
revision = "0004_throttle_backoff"
down_revision = "0003"
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.drop_table("login_throttles")
    op.create_table(
        "login_throttles",
        sa.Column("throttle_key", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure_at", _TS, nullable=False),
        sa.Column("locked_until", _TS),
    )
    op.create_table(
        "password_reset_requests",
        sa.Column("request_id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("email_normalized", sa.Text, nullable=False),
        sa.Column("correlation_id", sa.Text),
        sa.Column("requested_at", _TS, nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("password_reset_requests")
    op.drop_table("login_throttles")
    op.create_table(
        "login_throttles",
        sa.Column("throttle_key", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_started_at", _TS, nullable=False),
        sa.Column("locked_until", _TS),
    )
