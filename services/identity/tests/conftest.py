"""Fixtures for identity tests: identity in-process on a database and a topic prefix of its own."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from identity.main import MIGRATIONS, create_app
from identity.settings import Settings
from konnect_devstack.pytest_plugin import ServiceEnv, running_app


class IdentityEnv(ServiceEnv):
    service = "identity"
    migrations = MIGRATIONS
    settings_type = Settings


identity_env, shared_env = IdentityEnv.fixtures("identity_env")


@pytest.fixture
async def identity(identity_env: IdentityEnv) -> AsyncIterator[Any]:
    """The app's HTTP client; `client.kit` is its kit (database, outbox), `client.env` its environment."""
    async with running_app(create_app(identity_env.settings())) as client:
        client.kit = client.app.state.kit  # type: ignore[attr-defined]
        client.env = identity_env  # type: ignore[attr-defined]
        yield client


@pytest.fixture
def directory_accounts(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The logins directory writes ask for, recorded instead of created (logins are the accounts tests' part)."""
    accounts: list[dict[str, Any]] = []

    async def record_account(session: Any, outbox: Any, **kwargs: Any) -> None:
        accounts.append(kwargs)

    monkeypatch.setattr("identity.service_layer.directory_writes.ensure_account", record_account)
    return accounts
