"""Entry point: `python -m timeline [migrate|serve|all]`."""

from konnect_kit.service import run_service

from timeline.main import MIGRATIONS, create_app
from timeline.settings import Settings

run_service(Settings(), create_app, MIGRATIONS)
