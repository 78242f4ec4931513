"""The /api/ forwarder: what reaches the service, what the caller gets back, and the edge's refusals (uniform body,
the usual headers) without FastAPI's per-request layers."""

import re
import time
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest
from aiohttp import web
from gateway.auth import AUDIENCE, ISSUER
from gateway.main import create_app
from gateway.settings import Settings

SECRET = "test-jwt-secret-0123456789abcdef0123456789"
BIG = b'{"x":"' + b"a" * 200_000 + b'"}'  # larger than one piece: passed on as it comes


def token(role: str = "parent") -> str:
    now = int(time.time())
    return jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "a1", "role": role, "org": "o1", "sid": "s1",
                       "iat": now, "exp": now + 600}, SECRET, algorithm="HS256")


@pytest.fixture
async def identity(serve) -> str:  # type: ignore[no-untyped-def]
    async def me(request: web.Request) -> web.Response:
        if request.query.get("fail"):
            return web.Response(status=500, text="boom")
        if request.query.get("big"):
            return web.Response(body=BIG, content_type="application/json")
        return web.json_response({name: request.headers.get(name) for name in (
            "x-konnect-actor-id", "x-konnect-actor-role", "x-konnect-actor-session", "x-correlation-id",
            "accept-language", "authorization")} | {"query": request.query_string})

    return await serve("/me", me)


@pytest.fixture
async def gateway(identity: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(jwt_secret=SECRET, identity_url=identity, max_body_bytes=1000))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        yield client
    for upstream in app.state.upstreams.values():
        await upstream.close()


def assert_edge_headers(response: httpx.Response) -> None:
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff" and response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-correlation-id"]


async def test_the_service_gets_the_caller_and_the_client_gets_the_answer(gateway: httpx.AsyncClient) -> None:
    answer = await gateway.get("/api/v1/me?a=1&a=2", headers={
        "Authorization": f"Bearer {token()}", "X-Correlation-ID": "trace-1", "Accept-Language": "nl"})
    assert answer.status_code == 200
    assert answer.json() == {"x-konnect-actor-id": "a1", "x-konnect-actor-role": "parent",
                             "x-konnect-actor-session": "s1", "x-correlation-id": "trace-1",
                             "accept-language": "nl", "authorization": None, "query": "a=1&a=2"}
    assert answer.headers["x-correlation-id"] == "trace-1" and answer.headers["vary"] == "Origin"
    assert_edge_headers(answer)
    big = await gateway.get("/api/v1/me?big=1", headers={"Authorization": f"Bearer {token()}"})
    assert big.status_code == 200 and big.content == BIG
    assert_edge_headers(big)


async def test_a_request_without_a_correlation_id_gets_a_fresh_one_that_the_service_sees_too(
        gateway: httpx.AsyncClient) -> None:
    seen = set()
    for _ in range(3):
        answer = await gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {token()}"})
        made = answer.headers["x-correlation-id"]
        assert re.fullmatch("[0-9a-f]{32}", made) and answer.json()["x-correlation-id"] == made
        seen.add(made)
    assert len(seen) == 3
    # An unusable one (a space) is replaced the same way.
    answer = await gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {token()}", "X-Correlation-ID": "a b"})
    assert re.fullmatch("[0-9a-f]{32}", answer.headers["x-correlation-id"])


@pytest.mark.parametrize(("method", "path", "body", "status", "code"), [
    ("GET", "/api/v1/nothing-here", None, 404, "not_found"),
    ("DELETE", "/api/v1/me", None, 405, "method_not_allowed"),
    ("GET", "/api/v1/me", None, 401, "unauthorized"),  # no token
    ("POST", "/api/v1/conversations", b'{"text":"' + b"x" * 2000 + b'"}', 413, "payload_too_large"),
    ("POST", "/api/v1/conversations", b'{"text":"a\\u0000b"}', 422, "invalid_characters"),
])
async def test_refusals_at_the_edge_have_the_uniform_body_and_headers(
        gateway: httpx.AsyncClient, method: str, path: str, body: bytes | None, status: int, code: str) -> None:
    headers = {} if status == 401 else {"Authorization": f"Bearer {token()}"}
    answer = await gateway.request(method, path, content=body, headers=headers)
    assert answer.status_code == status and answer.json()["error"]["code"] == code
    assert_edge_headers(answer)


async def test_a_failing_or_missing_service_is_a_502_or_503(gateway: httpx.AsyncClient) -> None:
    failed = await gateway.get("/api/v1/me?fail=1", headers={"Authorization": f"Bearer {token()}"})
    assert failed.status_code == 502 and failed.json()["error"]["code"] == "bad_gateway"
    app = create_app(Settings(jwt_secret=SECRET, identity_url="http://127.0.0.1:1"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway") as client:
        gone = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token()}"})
    await app.state.upstreams["identity"].close()
    assert gone.status_code == 503 and gone.json()["error"]["code"] == "service_unavailable"
    assert_edge_headers(gone)
