"""Entry point: `python -m gateway`. A route table that does not cover the services' documents stops it here."""

import sys

from konnect_kit.logging import configure_logging
from konnect_kit.service import serve

from gateway.main import create_app
from gateway.route_table import RouteTableError
from gateway.settings import Settings

settings = Settings()
configure_logging(settings.service_name, settings.log_level)
try:
    app = create_app(settings)
except RouteTableError as exc:
    print(f"gateway: refusing to start: {exc}", file=sys.stderr)
    sys.exit(2)
serve(app, settings)
