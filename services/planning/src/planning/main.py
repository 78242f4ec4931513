"""App factory: wires settings, database, outbox, consumer and routes through the kit."""

from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from konnect_kit.clock import Clock, clock_for, testing_router
from konnect_kit.consumer import Subscription
from konnect_kit.service import ServiceKit, create_service_app

from planning.agenda_builder import AgendaBuilder
from planning.api import admin, agenda, calendar_feed, evaluation, organisations, requests
from planning.expiry import ExpiryWorker
from planning.handlers import credits, directory, erp
from planning.occupancy_builder import OccupancyBuilder
from planning.settings import Settings

MIGRATIONS = Path(__file__).parent / "db" / "migrations"


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()

    def now() -> datetime:
        # Read at call time: handlers and the expiry worker follow whatever clock the app holds (tests move it).
        return app.state.clock.now()

    subscriptions = [Subscription(directory.HANDLERS), *erp.subscriptions(now),
                     Subscription(credits.handlers(now))]

    def background(kit: ServiceKit) -> list[ExpiryWorker | AgendaBuilder | OccupancyBuilder]:
        return [ExpiryWorker(kit.database, kit.outbox, now, poll_seconds=settings.expiry_poll_seconds),
                AgendaBuilder(kit.database, now, poll_seconds=settings.agenda_build_poll_seconds),
                OccupancyBuilder(kit.database, now, poll_seconds=settings.occupancy_build_poll_seconds)]

    app = create_service_app(
        settings, title="Konnect planning",
        routers=[organisations.router, admin.router, agenda.router, requests.router, evaluation.router,
                 calendar_feed.router],
        subscriptions=subscriptions, background=background,
    )
    app.state.clock = clock or clock_for(settings.environment)
    if settings.environment == "test":
        app.include_router(testing_router)  # moving time is for test deployments only (404 elsewhere)
    return app
