"""Alembic environment for notifications (the kit runs it against NOTIFICATIONS_DATABASE_URL)."""

from konnect_kit.migrations import run_env
from notifications.db.models import metadata

run_env(metadata)
