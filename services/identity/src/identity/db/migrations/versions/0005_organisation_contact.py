"""Organisations get an optional contact address (Reply-To of mails to parents) and logo URL."""

import sqlalchemy as sa
from alembic import op

# A name rather than a number alone: other branches may add their own "0005".
revision = "0005_organisation_contact"
down_revision = "0004_throttle_backoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organisations", sa.Column("email", sa.Text))
    op.add_column("organisations", sa.Column("logo_url", sa.Text))


def downgrade() -> None:
    op.drop_column("organisations", "logo_url")
    op.drop_column("organisations", "email")
