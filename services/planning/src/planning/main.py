"""App factory: wires settings, database, outbox, consumer and routes through the kit."""

from pathlib import Path

from fastapi import FastAPI
from konnect_kit.service import create_service_app

from planning.api import admin, agenda, organisations, testing
from planning.clock import clock_for
from planning.handlers import directory
from planning.settings import Settings

MIGRATIONS = Path(__file__).parent / "db" / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(
        settings, title="Konnect planning", routers=[organisations.router, admin.router, agenda.router],
        register_handlers=directory.register,
    )
    app.state.clock = clock_for(settings.environment)
    if settings.environment == "test":
        app.include_router(testing.router)  # moving time is for test deployments only (404 elsewhere)
    return app
