"""Alembic environment for messaging (the kit runs it against MESSAGING_DATABASE_URL)."""

from konnect_kit.migrations import run_env
from messaging.db.models import metadata

run_env(metadata)
