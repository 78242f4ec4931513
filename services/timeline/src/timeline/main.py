"""App factory: wires settings, database, outbox, consumer and routes through the kit."""

from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from konnect_kit.consumer import Subscription
from konnect_kit.service import ServiceKit, create_service_app

from timeline.api import location, location_attachments, media_settings, observations, status, testing
from timeline.clock import Clock, clock_for
from timeline.handlers import location_directory
from timeline.media_runtime import media_for
from timeline.retention import RetentionWorker
from timeline.service_layer.retention import RetainedMedia
from timeline.settings import Settings

MIGRATIONS = Path(__file__).parent / "db" / "migrations"

RETAINED: list[RetainedMedia] = []
"""Tables of photos and videos under each organisation's photo retention (the daily run deletes them)."""


def create_app(settings: Settings | None = None, *, clock: Clock | None = None,
               retained: list[RetainedMedia] | None = None) -> FastAPI:
    settings = settings or Settings()
    media = media_for(settings)

    def now() -> datetime:
        # Read at call time: the worker follows whatever clock the app holds (tests move it).
        return app.state.clock.now()

    workers: list[RetentionWorker] = []

    def background(kit: ServiceKit) -> list:
        workers.append(RetentionWorker(kit.database, media.store, now, poll_seconds=settings.retention_poll_seconds,
                                       targets=RETAINED if retained is None else retained))
        # media: closes the processing pool on shutdown
        return [media, *workers] if settings.retention_worker_enabled else [media]

    app = create_service_app(
        settings, title="Konnect timeline",
        routers=[status.router, location.router, location_attachments.router, observations.router,
                 media_settings.router],
        subscriptions=[Subscription(location_directory.HANDLERS)],
        background=background,
    )
    app.state.media = media
    app.state.retention = workers[0]
    app.state.clock = clock or clock_for(settings.environment)
    if settings.environment == "test":
        app.include_router(testing.router)  # moving time is for test deployments only (404 elsewhere)
    return app
