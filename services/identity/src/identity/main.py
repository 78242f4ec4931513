"""App factory: wires settings, database, outbox, consumer, the password-reset worker and routes through the kit."""

from pathlib import Path

from fastapi import FastAPI
from konnect_kit.service import create_service_app

from identity.api import account, account_admin, auth, children, directory, groups, organisations
from identity.reset_worker import PasswordResetWorker
from identity.settings import Settings

MIGRATIONS = Path(__file__).parent / "db" / "migrations"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    return create_service_app(
        settings,
        title="Konnect identity",
        routers=[organisations.router, auth.router, account.router, account_admin.router, directory.router,
                 children.router, groups.router],
        background=lambda kit: [PasswordResetWorker(kit.database, kit.outbox, settings)],
    )
