"""A new parent follows the invitation mail into the portal and sets a password; the portal refreshes an expired
access token by itself and forgets an account whose session has ended (real gateway and identity)."""

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from konnect_devstack.demo import DEMO_PASSWORD, OPERATOR_TOKEN, REGENBOOG, demo_id
from konnect_devstack.stack import GATEWAY, Stack
from konnect_web.gateway import Gateway, LoggedOut, account_from_tokens
from konnect_web.session import SessionState
from playwright.sync_api import expect
from test_portal_e2e import _wait_for_link
from web_browser import ANNE, Visit, check_screen


def test_an_invited_parent_sets_a_password_from_the_mail_and_sees_the_family_agenda(
        visit: Visit, demo: Stack, mailpit) -> None:  # type: ignore[no-untyped-def]
    email = f"oma.{uuid.uuid4().hex[:8]}@example.org"
    answer = httpx.put(f"{demo.url(GATEWAY)}/api/v1/admin/directory/parents/{uuid.uuid4()}", timeout=30,
                       headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"},
                       json={"organisation_id": REGENBOOG, "family_id": demo_id("family:dejong"),
                             "name": "Oma de Jong", "email": email, "language": "nl"})
    assert answer.status_code == 200, answer.text
    link = _wait_for_link(mailpit, email, 0, "invitation")
    assert link.startswith(visit.portal + "/invitation?token=")

    page = visit.page
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Welkom! Kies een wachtwoord")
    check_screen(page, "invitation")
    page.locator("#password").fill("kort")  # the browser's own minimum length stops this one
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.locator("h1")).to_have_text("Welkom! Kies een wachtwoord")
    page.locator("#password").fill("een-goed-wachtwoord-42")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.locator("h1")).to_have_text("Agenda")
    expect(page.locator(".who")).to_contain_text("Oma de Jong")
    expect(page.locator(".days")).to_contain_text("Sem")


def _run(make: Callable[[], Awaitable[Any]]) -> Any:
    """Run a coroutine in a thread of its own: Playwright's sync API keeps a loop running in this one."""
    async def main() -> Any:
        return await make()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


def _signed_in(stack: Stack) -> tuple[Gateway, SessionState]:
    gateway = Gateway(stack.url(GATEWAY), 30)
    tokens = httpx.post(f"{stack.url(GATEWAY)}/api/v1/auth/login", timeout=30,
                        json={"email": ANNE, "password": DEMO_PASSWORD}).json()
    me = httpx.get(f"{stack.url(GATEWAY)}/api/v1/me", timeout=30,
                   headers={"Authorization": f"Bearer {tokens['access_token']}"}).json()
    state = SessionState()
    state.add(account_from_tokens(tokens, me))
    state.dirty = False
    return gateway, state


def test_an_expiring_access_token_is_refreshed_transparently(demo: Stack) -> None:
    gateway, state = _signed_in(demo)
    old_access, old_refresh = state.account.access_token, state.account.refresh_token
    state.account.expires_at = time.time()  # about to expire: refreshed before the call

    async def call() -> dict:
        try:
            return await gateway.call(state, "GET", "/me")
        finally:
            await gateway.close()

    me = _run(call)
    assert me["account"]["email"] == ANNE
    assert state.account.access_token != old_access and state.account.refresh_token != old_refresh
    assert state.dirty  # the response carries the new tokens in the cookie


def test_an_ended_session_logs_that_account_out_of_the_device(demo: Stack) -> None:
    gateway, state = _signed_in(demo)
    account = state.account
    httpx.post(f"{demo.url(GATEWAY)}/api/v1/auth/logout", timeout=30,
               headers={"Authorization": f"Bearer {account.access_token}"})  # ended elsewhere

    async def call() -> None:
        try:
            await gateway.call(state, "GET", "/me")
        finally:
            await gateway.close()

    with pytest.raises(LoggedOut):
        _run(call)
    assert state.accounts == [] and state.account is None
