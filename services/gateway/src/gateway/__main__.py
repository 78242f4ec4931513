"""Entry point: `python -m gateway`."""

from konnect_kit.logging import configure_logging
from konnect_kit.service import serve

from gateway.main import create_app
from gateway.settings import Settings

settings = Settings()
configure_logging(settings.service_name, settings.log_level)
serve(create_app(settings), settings)
