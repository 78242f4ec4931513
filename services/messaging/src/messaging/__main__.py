"""Entry point: `python -m messaging [migrate|serve|all]`."""

from konnect_kit.service import run_service

from messaging.main import MIGRATIONS, create_app
from messaging.settings import Settings

run_service(Settings(), create_app, MIGRATIONS)
