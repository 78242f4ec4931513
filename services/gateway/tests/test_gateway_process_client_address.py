"""The gateway process as deployed (`python -m gateway`): a local caller cannot pick its address with X-Forwarded-For.

The unit tests of `client_address` see a request after the server is done with it. Here the real server runs:
uvicorn's own proxy-header handling once rewrote the client address from X-Forwarded-For for any caller on
127.0.0.1, so the login limit could be dodged by naming a new address per attempt.
"""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

LOGIN_LIMIT = 20  # routes.txt: limit login 20/60s


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gateway(extra_env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "GATEWAY_HTTP_PORT": str(port), "GATEWAY_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1",
           "GATEWAY_IDENTITY_URL": "http://127.0.0.1:1", **extra_env}  # upstream down: the limit comes first
    process = subprocess.Popen([sys.executable, "-m", "gateway"], env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "gateway did not start"
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def default_gateway() -> Iterator[str]:
    yield from start_gateway({"GATEWAY_TRUSTED_PROXIES": "[]"})


@pytest.fixture
def gateway_behind_local_proxy() -> Iterator[str]:
    yield from start_gateway({"GATEWAY_TRUSTED_PROXIES": '["127.0.0.1"]'})


def logins(base: str, attempts: int) -> list[int]:
    with httpx.Client(base_url=base, timeout=10) as client:
        return [client.post("/api/v1/auth/login", headers={"X-Forwarded-For": f"203.0.113.{n}"},
                            json={"email": "anne@example.org", "password": "not her password"}).status_code
                for n in range(1, attempts + 1)]


def test_a_local_caller_naming_a_new_address_per_attempt_still_meets_the_login_limit(default_gateway) -> None:
    answers = logins(default_gateway, LOGIN_LIMIT + 2)
    assert 429 not in answers[:LOGIN_LIMIT]
    assert answers[LOGIN_LIMIT:] == [429, 429]


def test_behind_a_proxy_the_settings_name_each_forwarded_address_has_its_own_limit(gateway_behind_local_proxy) -> None:
    assert 429 not in logins(gateway_behind_local_proxy, LOGIN_LIMIT + 2)
