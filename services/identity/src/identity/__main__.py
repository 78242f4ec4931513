"""Entry point: `python -m identity [migrate|serve|all]`."""

from konnect_kit.service import run_service

from identity.main import MIGRATIONS, create_app
from identity.settings import Settings

run_service(Settings(), create_app, MIGRATIONS)
