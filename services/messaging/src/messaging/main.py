"""App factory: wires settings, database, outbox, consumer, media and routes through the kit."""

from pathlib import Path

from fastapi import FastAPI
from konnect_kit.consumer import Subscription
from konnect_kit.service import create_service_app

from messaging.api import attachments, conversations
from messaging.handlers import directory
from messaging.media_runtime import media_for
from messaging.settings import Settings

MIGRATIONS = Path(__file__).parent / "db" / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    media = media_for(settings)
    app = create_service_app(settings, title="Konnect messaging", routers=[conversations.router, attachments.router],
                             subscriptions=[Subscription(directory.HANDLERS)],
                             background=lambda kit: [media])  # closes the processing pool on shutdown
    app.state.media = media
    return app
