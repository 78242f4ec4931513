"""Alembic environment for credits (the kit runs it against CREDITS_DATABASE_URL)."""

from credits.db.models import metadata
from konnect_kit.migrations import run_env

run_env(metadata)
