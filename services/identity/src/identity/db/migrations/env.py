"""Alembic environment for identity (the kit runs it against IDENTITY_DATABASE_URL)."""

from konnect_kit.migrations import run_env

from identity.db.models import metadata

run_env(metadata)
