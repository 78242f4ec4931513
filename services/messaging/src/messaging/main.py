"""App factory: wires settings, database, outbox, consumer and routes through the kit."""

from pathlib import Path

from fastapi import FastAPI
from konnect_kit.consumer import Subscription
from konnect_kit.service import create_service_app

from messaging.api import conversations
from messaging.handlers import directory
from messaging.settings import Settings

MIGRATIONS = Path(__file__).parent / "db" / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(settings, title="Konnect messaging", routers=[conversations.router],
                              subscriptions=[Subscription(directory.HANDLERS)])
