"""App factory: wires settings, database, outbox, consumer and routes through the kit."""

from pathlib import Path

from fastapi import FastAPI
from konnect_kit.consumer import Subscription
from konnect_kit.service import create_service_app

from timeline.api import location, media_settings, observations, status, testing
from timeline.clock import Clock, clock_for
from timeline.handlers import location_directory
from timeline.media_runtime import media_for
from timeline.settings import Settings

MIGRATIONS = Path(__file__).parent / "db" / "migrations"


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    media = media_for(settings)
    app = create_service_app(
        settings, title="Konnect timeline",
        routers=[status.router, location.router, observations.router, media_settings.router],
        subscriptions=[Subscription(location_directory.HANDLERS)],
        background=lambda kit: [media],  # closes the processing pool on shutdown
    )
    app.state.media = media
    app.state.clock = clock or clock_for(settings.environment)
    if settings.environment == "test":
        app.include_router(testing.router)  # moving time is for test deployments only (404 elsewhere)
    return app
