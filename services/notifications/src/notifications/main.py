"""App factory: wires settings, database, outbox, consumer, mail and push senders and routes through the kit."""

from pathlib import Path

from fastapi import FastAPI
from konnect_kit.consumer import Subscription
from konnect_kit.service import ServiceKit, create_service_app

from notifications.api import deliveries, devices, preferences
from notifications.handlers import access, accounts, directory, requests
from notifications.mailer.sender import MailSender
from notifications.push.sender import PushSender
from notifications.queue_worker import QueueWorker
from notifications.settings import Settings

MIGRATIONS = Path(__file__).parent / "db" / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    subscriptions = [
        Subscription(accounts.handlers(settings)),
        Subscription(directory.HANDLERS),
        Subscription(requests.handlers(settings)),
        Subscription(access.HANDLERS),
    ]

    def background(kit: ServiceKit) -> list[QueueWorker]:
        senders: list[QueueWorker] = [MailSender(kit.database, settings)]
        if settings.push_enabled:
            senders.append(PushSender(kit.database, settings))
        return senders

    return create_service_app(settings, title="Konnect notifications",
                              routers=[deliveries.router, preferences.router, devices.router],
                              subscriptions=subscriptions, background=background)
