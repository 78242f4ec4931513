"""Entry point: `python -m planning [migrate|serve|all]`."""

from konnect_kit.service import run_service

from planning.main import MIGRATIONS, create_app
from planning.settings import Settings

run_service(Settings(), create_app, MIGRATIONS)
