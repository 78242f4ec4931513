"""ERP clients: which organisations each registered ERP client may evaluate for (from platform.erp-clients.v1)."""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erp_clients",
        sa.Column("client_id", sa.Text, primary_key=True),
        sa.Column("organisation_ids", ARRAY(sa.Uuid), nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_erp_clients_organisations", "erp_clients", ["organisation_ids"], postgresql_using="gin")


def downgrade() -> None:
    op.drop_table("erp_clients")
