"""Alembic environment for identity (the kit runs it against IDENTITY_DATABASE_URL)."""

from identity.db.models import metadata
from konnect_kit.migrations import run_env

run_env(metadata)
