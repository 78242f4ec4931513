"""App factory: wires settings, database, outbox, consumer, mail sender and routes through the kit."""

from pathlib import Path

from fastapi import FastAPI
from konnect_kit.consumer import EventConsumer
from konnect_kit.service import ServiceKit, create_service_app

from notifications.api import deliveries, preferences
from notifications.handlers import accounts, directory, requests
from notifications.mailer.sender import MailSender
from notifications.settings import Settings

MIGRATIONS = Path(__file__).parent / "db" / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    handlers = [accounts.register(settings), directory.register(settings), requests.register(settings)]

    def register_handlers(consumer: EventConsumer) -> None:
        for wire in handlers:
            wire(consumer)

    def background(kit: ServiceKit) -> list[MailSender]:
        return [MailSender(kit.database, settings)]

    return create_service_app(settings, title="Konnect notifications", routers=[deliveries.router, preferences.router],
                              register_handlers=register_handlers, background=background)
