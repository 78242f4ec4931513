"""Fixtures for notifications tests: a migrated database and a topic prefix of its own (konnect_devstack's ServiceEnv).

Each environment reads identity's and planning's topics under its own prefix: a test app on the shared topics
with a fresh consumer group would re-read (and mail) every event ever published there, and a notifications
service from a running stack would mail this test's events too.
"""

import json
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from konnect_contracts.envelope import Envelope, EventPayload
from konnect_contracts.events.accounts import AccountInvited, PasswordResetRequested
from konnect_contracts.events.directory import ChildUpserted, GroupUpserted, ParentUpserted, PlacementUpserted
from konnect_devstack.pytest_plugin import ServiceEnv, internal_headers, running_app
from notifications.main import MIGRATIONS, create_app
from notifications.settings import Settings


class NotificationsEnv(ServiceEnv):
    """Notifications in its own database and topic namespace, mailing through mailpit; also the builders tests use."""

    service = "notifications"
    migrations = MIGRATIONS
    settings_type = Settings

    def settings_values(self) -> dict[str, Any]:
        endpoints = self.infra.endpoints
        return {"smtp_host": endpoints.smtp_host, "smtp_port": endpoints.smtp_port, "mail_poll_seconds": 0.1,
                "mail_backoff_initial_seconds": 0.2, "mail_backoff_max_seconds": 1.0}

    @staticmethod
    def wrap(payload: EventPayload) -> Envelope:
        return Envelope.wrap(payload, producer="identity", correlation_id=f"test-{uuid.uuid4().hex[:8]}")

    @staticmethod
    def address() -> str:
        return f"{uuid.uuid4().hex}@example.test"

    @staticmethod
    def invited(email: str, *, language: str = "nl", display_name: str = "Anne de Vries",
                organisation_id: UUID | None = None) -> AccountInvited:
        return AccountInvited(
            account_id=uuid.uuid4(), organisation_id=organisation_id or uuid.uuid4(), family_id=uuid.uuid4(),
            email=email, display_name=display_name, language=language,  # type: ignore[arg-type]
            invitation_token=f"inv-{uuid.uuid4().hex}", expires_at=datetime.now(UTC) + timedelta(days=7),
        )

    @staticmethod
    def reset_requested(email: str, *, language: str = "nl") -> PasswordResetRequested:
        return PasswordResetRequested(
            account_id=uuid.uuid4(), organisation_id=uuid.uuid4(), email=email, display_name="Bram Jansen",
            language=language, reset_token=f"rst-{uuid.uuid4().hex}",  # type: ignore[arg-type]
            expires_at=datetime.now(UTC) + timedelta(hours=1),
        )

    @staticmethod
    def closed_port() -> int:
        """A local port nothing listens on (bound, then released)."""
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])


notifications_env, shared_env = NotificationsEnv.fixtures("notifications_env")


@pytest.fixture(scope="module")
async def mail_app(shared_env: NotificationsEnv) -> AsyncIterator[Any]:
    async with running_app(create_app(shared_env.settings())) as client:
        yield client


class FakeFcm:
    """A local stand-in for Google's token endpoint and FCM HTTP v1, spoken to over real HTTP by pyfcm.

    It checks what the real service checks that matters here (a bearer token it issued, a message with a
    token), remembers what was sent, and can be told that a device is gone or that it is overloaded.
    """

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.gone: set[str] = set()
        self.overloaded: dict[str, int] = {}  # device token → answer this many of its sends with 503 first
        self.tokens_issued = 0
        self.base = ""

    async def token(self, request: Any) -> Any:
        from aiohttp import web

        form = await request.post()
        assert form.get("grant_type") == "urn:ietf:params:oauth:grant-type:jwt-bearer", form
        self.tokens_issued += 1
        return web.json_response({"access_token": f"fake-{self.tokens_issued}", "expires_in": 3600,
                                  "token_type": "Bearer"})

    async def send(self, request: Any) -> Any:
        from aiohttp import web

        if not request.headers.get("Authorization", "").startswith("Bearer fake-"):
            return web.json_response({"error": {"code": 401, "status": "UNAUTHENTICATED"}}, status=401)
        message = (await request.json())["message"]
        if self.overloaded.get(message.get("token"), 0) > 0:
            self.overloaded[message["token"]] -= 1
            return web.json_response({"error": {"code": 503, "status": "UNAVAILABLE"}}, status=503)
        if message.get("token") in self.gone:
            return web.json_response({"error": {"code": 404, "status": "NOT_FOUND",
                                                "details": [{"errorCode": "UNREGISTERED"}]}}, status=404)
        self.sent.append({**message, "project": request.match_info["project"]})
        return web.json_response({"name": f"projects/{request.match_info['project']}/messages/{len(self.sent)}"})

    def to(self, device_token: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if m.get("token") == device_token]


@pytest.fixture
async def fake_fcm(tmp_path: Any) -> AsyncIterator[tuple[FakeFcm, dict[str, Any]]]:
    """The fake FCM running on a free port, and the notifications settings that point push at it."""
    from aiohttp import web
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    fcm = FakeFcm()
    app = web.Application()
    app.router.add_post("/token", fcm.token)
    app.router.add_post("/v1/projects/{project}/messages:send", fcm.send)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    fcm.base = f"http://127.0.0.1:{port}"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    account = tmp_path / "service-account.json"
    account.write_text(json.dumps({
        "type": "service_account", "project_id": "konnect-test", "private_key_id": "test-key",
        "private_key": pem, "client_email": "push@konnect-test.iam.gserviceaccount.com", "client_id": "1",
        "token_uri": f"{fcm.base}/token"}))
    settings = {"fcm_service_account_file": str(account), "fcm_endpoint_base": f"{fcm.base}/v1/projects",
                "push_poll_seconds": 0.1, "push_backoff_initial_seconds": 0.1, "push_backoff_max_seconds": 0.5}
    try:
        yield fcm, settings
    finally:
        await runner.cleanup()


class InboxWorld:
    """One organisation, one group at one location; Sem's separated parents Anne and Bram (family A, Dutch) and
    Emma (family B, English) with Lotte."""

    def __init__(self) -> None:
        self.org, self.location, self.group = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        self.family_a, self.family_b, self.family_c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        # Separated parents of Sem: two accounts, each with its own inbox.
        self.anne, self.bram, self.emma = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        self.sem, self.lotte = uuid.uuid4(), uuid.uuid4()
        self.staff = uuid.uuid4()

    def directory(self) -> list[Any]:
        def parent(account: uuid.UUID, family: uuid.UUID, name: str, language: str = "nl") -> ParentUpserted:
            return ParentUpserted(organisation_id=self.org, version=1, account_id=account, family_id=family,
                                  name=name, email=f"{account.hex}@example.test", language=language)  # type: ignore[arg-type]

        def child(child_id: uuid.UUID, family: uuid.UUID, name: str) -> ChildUpserted:
            return ChildUpserted(organisation_id=self.org, version=1, child_id=child_id, family_id=family,
                                 first_name=name, last_name="X", birth_date=date(2023, 1, 1))

        # Sem's placement names only the group (its location comes from the group); Lotte's names both.
        return [
            GroupUpserted(organisation_id=self.org, version=1, group_id=self.group, location_id=self.location,
                          name="Dolfijnen", care_type="day_care"),
            parent(self.anne, self.family_a, "Anne"), parent(self.bram, self.family_a, "Bram"),
            parent(self.emma, self.family_b, "Emma", "en"),
            child(self.sem, self.family_a, "Sem"), child(self.lotte, self.family_b, "Lotte"),
            PlacementUpserted(organisation_id=self.org, version=1, placement_id=uuid.uuid4(), child_id=self.sem,
                              family_id=self.family_a, group_id=self.group, care_type="day_care",
                              starts_on=date(2025, 1, 1)),
            PlacementUpserted(organisation_id=self.org, version=1, placement_id=uuid.uuid4(), child_id=self.lotte,
                              family_id=self.family_b, group_id=self.group, location_id=self.location,
                              care_type="day_care", starts_on=date(2025, 1, 1)),
        ]

    def headers(self, account: uuid.UUID) -> dict[str, str]:
        return internal_headers("parent", str(account), str(self.org))



@pytest.fixture
def inbox_world() -> InboxWorld:
    return InboxWorld()
