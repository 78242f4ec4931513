"""Logging in as a demo person, patiently: the gateway allows 20 logins a minute per address, and seeding the demo
and its twin from one machine logs in more often than that."""

import time

import httpx


def demo_token(gateway: str, email: str, password: str, organisation_id: str | None = None,
               timeout: float = 180) -> str:
    """An access token for the login; a 429 is waited out (as long as the gateway asks), any other error raised."""
    body = {"email": email, "password": password} | ({"organisation_id": organisation_id} if organisation_id else {})
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.post(f"{gateway.rstrip('/')}/api/v1/auth/login", json=body, timeout=30)
        if response.status_code == 200:
            return response.json()["access_token"]
        if response.status_code != 429 or time.monotonic() > deadline:
            raise RuntimeError(f"demo login {email} failed: {response.status_code} {response.text}")
        time.sleep(response.json()["error"]["details"]["retry_after_seconds"])
