"""App factory: wires settings, database, outbox, consumer, media and routes through the kit."""

from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from konnect_kit.clock import Clock, clock_for, testing_router
from konnect_kit.consumer import Subscription
from konnect_kit.service import ServiceKit, create_service_app

from messaging.api import attachments, conversations
from messaging.handlers import directory
from messaging.media_runtime import media_for
from messaging.pruning import PruningWorker
from messaging.settings import Settings

MIGRATIONS = Path(__file__).parent / "db" / "migrations"


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    media = media_for(settings)

    def now() -> datetime:
        # Read at call time: the worker follows whatever clock the app holds (tests move it).
        return app.state.clock.now()

    pruning: list[PruningWorker] = []

    def background(kit: ServiceKit) -> list:
        pruning.append(PruningWorker(kit.database, media.store, now, poll_seconds=settings.pruning_poll_seconds))
        # media: closes the processing pool on shutdown
        return [media, *pruning] if settings.pruning_enabled else [media]

    app = create_service_app(settings, title="Konnect messaging", routers=[conversations.router, attachments.router],
                             subscriptions=[Subscription(directory.HANDLERS)], background=background)
    app.state.media = media
    app.state.pruning = pruning[0]
    app.state.clock = clock or clock_for(settings.environment)
    if settings.environment == "test":
        app.include_router(testing_router)  # moving time is for test deployments only (404 elsewhere)
    return app
