"""Alembic environment for timeline (the kit runs it against TIMELINE_DATABASE_URL)."""

from konnect_kit.migrations import run_env
from timeline.db.models import metadata

run_env(metadata)
