"""Entry point: `python -m credits [migrate|serve|all]`."""

from konnect_kit.service import run_service

from credits.main import MIGRATIONS, create_app
from credits.settings import Settings

run_service(Settings(), create_app, MIGRATIONS)
