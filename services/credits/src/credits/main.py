"""App factory: wires settings, database, outbox, consumer and routes through the kit."""

from pathlib import Path

from fastapi import FastAPI
from konnect_kit.consumer import Subscription
from konnect_kit.service import create_service_app

from credits.api import credits
from credits.handlers import directory, requests
from credits.settings import Settings

MIGRATIONS = Path(__file__).parent / "db" / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    subscriptions = [Subscription(requests.HANDLERS), Subscription(directory.HANDLERS)]
    return create_service_app(settings, title="Konnect credits", routers=[credits.router],
                              subscriptions=subscriptions)
