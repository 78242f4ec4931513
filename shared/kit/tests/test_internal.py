"""A service answers only calls the gateway forwarded (the internal token), and takes the caller the gateway
established from its headers: what a process on the internal network sends without them is refused (401)."""

from types import SimpleNamespace

import httpx
import pytest
from fastapi import FastAPI
from konnect_kit.errors import install_error_handlers
from konnect_kit.internal import CallerDep, GatewayCallDep

TOKEN = "internal-secret"
GATEWAY = {"x-konnect-internal-token": TOKEN}


def app() -> FastAPI:
    application = FastAPI()
    application.state.kit = SimpleNamespace(settings=SimpleNamespace(internal_token=TOKEN))
    install_error_handlers(application)

    @application.get("/who")
    async def who(caller: CallerDep) -> dict[str, str | None]:
        return {"role": caller.role, "actor": caller.actor_id, "organisation": caller.organisation_id,
                "session": caller.session_id}

    @application.get("/login")
    async def login(call: GatewayCallDep) -> dict[str, str]:
        return {"client_ip": call.client_ip}

    return application


async def get(path: str, headers: list[tuple[bytes, bytes]]) -> httpx.Response:
    transport = httpx.ASGITransport(app=app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        return await client.get(path, headers=headers)


@pytest.mark.parametrize("headers", [
    [],  # not through the gateway
    [(b"x-konnect-internal-token", b"guess"), (b"x-konnect-actor-role", b"parent")],
    [(b"x-konnect-internal-token", b"internal-secr\xe9t"), (b"x-konnect-actor-role", b"parent")],  # beyond ASCII
    [(b"x-konnect-internal-token", b""), (b"x-konnect-actor-role", b"parent")],
    [(b"x-konnect-internal-token", TOKEN.encode())],  # no caller forwarded
    [(b"x-konnect-internal-token", TOKEN.encode()), (b"x-konnect-actor-role", b"owner")],  # no such role
])
async def test_a_call_without_the_gateways_token_or_caller_is_refused(headers: list[tuple[bytes, bytes]]) -> None:
    answer = await get("/who", headers)
    assert (answer.status_code, answer.json()["error"]["code"]) == (401, "unauthorized")


async def test_the_caller_is_the_one_the_gateway_forwarded() -> None:
    answer = await get("/who", [
        (b"x-konnect-internal-token", TOKEN.encode()), (b"X-Konnect-Actor-Role", b"staff"),
        (b"x-konnect-actor-id", b"a1"), (b"x-konnect-actor-organisation", b"o1"),
        (b"x-konnect-actor-role", b"org_admin"),  # a second one of a name: the first counts, as Starlette reads it
        (b"x-other", b"ignored")])
    assert answer.json() == {"role": "staff", "actor": "a1", "organisation": "o1", "session": None}
    answer = await get("/who", [(b"x-konnect-internal-token", TOKEN.encode()), (b"x-konnect-actor-role", b"parent"),
                                (b"x-konnect-actor-session", b"s9"), (b"x-konnect-actor-organisation", b"")])
    assert answer.json() == {"role": "parent", "actor": "", "organisation": None, "session": "s9"}


async def test_a_call_without_a_caller_through_the_gateway_names_the_client_address() -> None:
    assert (await get("/login", [(b"x-konnect-internal-token", TOKEN.encode()),
                                 (b"x-konnect-client-ip", b"203.0.113.9")])).json() == {"client_ip": "203.0.113.9"}
    assert (await get("/login", [(b"x-konnect-internal-token", TOKEN.encode())])).json() == {"client_ip": "unknown"}
    assert (await get("/login", [])).status_code == 401
