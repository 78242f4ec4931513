"""Entry point: `python -m notifications [migrate|serve|all]`."""

from konnect_kit.service import run_service

from notifications.main import MIGRATIONS, create_app
from notifications.settings import Settings

run_service(Settings(), create_app, MIGRATIONS)
