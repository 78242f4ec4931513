"""Messaging's service-level tests: the service in its own database and topic namespace, run in-process."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from konnect_devstack.infra import ensure_bucket
from konnect_devstack.pytest_plugin import ServiceEnv, running_app
from messaging.main import MIGRATIONS, create_app
from messaging.settings import Settings


class MessagingEnv(ServiceEnv):
    """Messaging in its own database and topic namespace, with the media bucket and a settable clock."""

    service = "messaging"
    migrations = MIGRATIONS
    settings_type = Settings

    def settings_values(self) -> dict[str, Any]:
        e = self.infra.endpoints
        ensure_bucket(e, "konnect-media")
        return {"environment": "test", "s3_endpoint": e.s3_endpoint, "s3_access_key": e.s3_access_key,
                "s3_secret_key": e.s3_secret_key}


messaging_env, shared_env = MessagingEnv.fixtures("messaging_env")


@pytest.fixture
async def messaging(messaging_env: MessagingEnv) -> AsyncIterator[Any]:
    """The app on a fresh database, as an HTTP client (its `database_url` for raw reads)."""
    async with running_app(create_app(messaging_env.settings())) as client:
        client.database_url = messaging_env.database_url  # type: ignore[attr-defined]
        yield client
