"""The gateway by configuration, end to end: a service's new endpoint is reachable through its one table
line, and an ended session's access token is refused on every route, also by an instance started later."""

import contextlib
from collections.abc import AsyncIterator

import httpx
from e2e_world import bearer, build_world, client_ip, logged_in
from gateway.main import create_app
from gateway.settings import Settings
from konnect_devstack.pytest_plugin import eventually, running_app
from konnect_devstack.stack import DOMAIN_SERVICES
from konnect_kit.kafka import KafkaConnection


@contextlib.asynccontextmanager
async def another_gateway(stack, kafka: KafkaConnection) -> AsyncIterator[httpx.AsyncClient]:
    """A second gateway instance, in this process, on the same services."""
    # In-process clients come from 127.0.0.1, which stands in for the load balancer (client_ip() headers).
    settings = Settings(environment="test", kafka_bootstrap_servers=kafka.bootstrap_servers,
                        kafka_username=kafka.username or "", kafka_password=kafka.password or "",
                        trusted_proxies=["127.0.0.1"],
                        **{f"{spec.name}_url": stack.url(spec) for spec in DOMAIN_SERVICES})
    async with running_app(create_app(settings)) as client:
        yield client


async def test_timeline_status_is_served_through_its_table_line_only_to_logged_in_callers(gateway, mailpit):
    w = await build_world(gateway)
    eva = await logged_in(gateway, mailpit, w.parents["eva"][1])
    answer = await gateway.get("/api/v1/timeline/status", headers=bearer(eva))
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"state": "open", "message": "Photos and diary entries are in the family feed."}
    anonymous = await gateway.get("/api/v1/timeline/status")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthorized"
    spec = (await gateway.get("/openapi.json")).json()
    assert spec["paths"]["/api/v1/timeline/status"]["get"]["security"] == [{"bearer": []}]


async def test_a_logged_out_token_is_refused_on_every_route_also_by_an_instance_started_later(
        stack, infra, gateway, mailpit):
    """Identity checks sessions itself; other services do not. The gateway refuses an ended session's still
    unexpired access token everywhere, and an instance started after the logout knows it from the log."""
    w = await build_world(gateway)
    eva_email = w.parents["eva"][1]
    phone = await logged_in(gateway, mailpit, eva_email)
    laptop = (await gateway.post("/api/v1/auth/login", json={"email": eva_email, "password": "a good long password"},
                                 headers=client_ip())).json()
    settings_page = "/api/v1/notification-settings"  # served by notifications, which keeps no sessions
    assert (await gateway.get(settings_page, headers=bearer(phone))).status_code == 200
    assert (await gateway.post("/api/v1/auth/logout", headers=bearer(phone))).status_code == 200

    async def refused(client: httpx.AsyncClient) -> bool:
        response = await client.get(settings_page, headers=bearer(phone))
        return response.status_code == 401 and response.json()["error"]["code"] == "session_ended"

    await eventually(lambda: refused(gateway), timeout=5)
    assert (await gateway.get(settings_page, headers=bearer(laptop))).status_code == 200
    async with another_gateway(stack, infra.endpoints.kafka_as("gateway")) as later:
        await eventually(lambda: refused(later), timeout=15)  # once it has read the access topic back
        assert (await later.get(settings_page, headers=bearer(laptop))).status_code == 200
        assert (await later.get("/api/v1/me", headers=bearer(laptop))).status_code == 200
