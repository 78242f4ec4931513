"""Alembic environment for planning (the kit runs it against PLANNING_DATABASE_URL)."""

from konnect_kit.migrations import run_env
from planning.db.models import metadata

run_env(metadata)
