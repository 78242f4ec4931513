"""App factory: wires settings, database, outbox, consumer and routes through the kit."""

from datetime import datetime
from pathlib import Path

from fastapi import FastAPI
from konnect_kit.clock import Clock, clock_for, testing_router
from konnect_kit.consumer import Subscription
from konnect_kit.service import ServiceKit, create_service_app

from timeline.api import (
    location,
    location_attachments,
    media_settings,
    observations,
    status,
    timeline_diary,
    timeline_photos,
)
from timeline.db.photos import timeline_media
from timeline.feed_builder import FeedBuilder
from timeline.handlers import location_directory, media_processing, photo_consent
from timeline.media_runtime import media_for
from timeline.retention import RetentionWorker
from timeline.service_layer.retention import RetainedMedia
from timeline.settings import Settings

MIGRATIONS = Path(__file__).parent / "db" / "migrations"

RETAINED: list[RetainedMedia] = [
    # Photos and videos of series and diary entries: the row goes with its objects; a series or entry whose
    # media are gone shows without them (the join to timeline_media drops them).
    RetainedMedia(timeline_media, timeline_media.c.media_id, timeline_media.c.organisation_id,
                  timeline_media.c.created_at, timeline_media.c.media_base),
]
"""Tables of photos and videos under each organisation's photo retention (the daily run deletes them)."""


def create_app(settings: Settings | None = None, *, clock: Clock | None = None,
               retained: list[RetainedMedia] | None = None) -> FastAPI:
    settings = settings or Settings()
    media = media_for(settings)

    def now() -> datetime:
        # Read at call time: the worker follows whatever clock the app holds (tests move it).
        return app.state.clock.now()

    workers: list[RetentionWorker] = []
    builders: list[FeedBuilder] = []

    def background(kit: ServiceKit) -> list:
        workers.append(RetentionWorker(kit.database, media.store, now, poll_seconds=settings.retention_poll_seconds,
                                       targets=RETAINED if retained is None else retained))
        builders.append(FeedBuilder(kit.database, poll_seconds=settings.feed_build_poll_seconds))
        # media: closes the processing pool on shutdown
        return [media, *builders, *(workers if settings.retention_worker_enabled else [])]

    app = create_service_app(
        settings, title="Konnect timeline",
        routers=[status.router, location.router, location_attachments.router, observations.router,
                 media_settings.router, timeline_photos.router, timeline_diary.router],
        # photo_consent wraps My location's ChildUpserted handler (one handler per event type).
        subscriptions=[Subscription({**location_directory.HANDLERS, **photo_consent.HANDLERS}),
                       Subscription(media_processing.handlers(media))],
        background=background,
    )
    app.state.media = media
    app.state.retention = workers[0]
    app.state.feed_builder = builders[0]
    app.state.clock = clock or clock_for(settings.environment)
    if settings.environment == "test":
        app.include_router(testing_router)  # moving time is for test deployments only (404 elsewhere)
    return app
