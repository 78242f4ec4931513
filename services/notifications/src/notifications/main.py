"""App factory: wires settings, database, outbox, consumer, mail and push senders and routes through the kit."""

from pathlib import Path

from fastapi import FastAPI
from konnect_kit.consumer import Subscription
from konnect_kit.service import BackgroundWorker, ServiceKit, create_service_app

from notifications.api import bounces, deliveries, devices, inbox, inbox_stream, metrics, preferences, unsubscribe
from notifications.clock import Clock
from notifications.digest_worker import DigestWorker
from notifications.handlers import access, accounts, directory, requests
from notifications.handlers import inbox as inbox_handlers
from notifications.live import InboxHub
from notifications.mailer.sender import MailSender
from notifications.push.sender import PushSender
from notifications.queue_worker import QueueWorker
from notifications.settings import Settings

MIGRATIONS = Path(__file__).parent / "db" / "migrations"


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    clock = clock or Clock()
    hub = InboxHub(settings.database_url)
    queue_workers: list[QueueWorker] = []  # read by GET /metrics
    subscriptions = [
        Subscription(accounts.handlers(settings)),
        Subscription(directory.HANDLERS),
        Subscription(requests.handlers(settings, clock)),
        Subscription(access.HANDLERS),
        Subscription(inbox_handlers.timeline_handlers(settings, clock)),
        Subscription(inbox_handlers.content_handlers(settings, clock)),
        Subscription(inbox_handlers.messaging_handlers(settings, clock)),
    ]

    def background(kit: ServiceKit) -> list[BackgroundWorker]:
        mail = MailSender(kit.database, settings)
        queue_workers[:] = [mail]
        senders: list[BackgroundWorker] = [mail, DigestWorker(kit.database, settings, clock), hub]
        if settings.push_enabled:
            push = PushSender(kit.database, settings)
            push.clock = clock  # held pushes (bursts, quiet hours) are due by the app's clock
            senders.append(push)
            queue_workers.append(push)
        return senders

    app = create_service_app(settings, title="Konnect notifications",
                             routers=[deliveries.router, preferences.router, devices.router, inbox_stream.router,
                                      inbox.router, unsubscribe.router, bounces.router, metrics.router],
                             subscriptions=subscriptions, background=background)
    app.state.clock = clock  # read by the routes; a test passes a clock it moves
    app.state.inbox_hub = hub
    app.state.queue_workers = queue_workers
    return app
