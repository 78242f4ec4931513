"""Browser tests of the portal: Debian's Chromium driven by Playwright (one browser per session), against the
real stack (every service, the gateway and the portal as processes) seeded with the demo organisations."""

import asyncio
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from erp_client.client import Config
from example_erp import ErpInThread
from kafka_tools import wait_until_consumed
from konnect_devstack.demo import (
    OPERATOR_TOKEN,
    REGENBOOG,
    Seeder,
    demo_erp_password,
    demo_id,
    register_demo_erp_clients,
)
from konnect_devstack.pytest_plugin import InfraHandle
from konnect_devstack.stack import GATEWAY, WEB, Stack
from konnect_kit.kafka_access import ERP_CLIENTS_TOPIC
from web_browser import CHROMIUM, Visit


@pytest.fixture(scope="session")
def demo(stack: Stack, infra: InfraHandle) -> Stack:
    """The demo organisations and logins (idempotent: stable ids, the invitation mails followed once)."""
    Seeder(stack.url(GATEWAY), infra.endpoints.mailpit_api).run()
    # As `make up` does: each demo organisation has its ERP client registered (its topics get planning's
    # copies), whether or not an ERP is running; the `example_erp` fixture runs one for a test.
    register_demo_erp_clients(infra.endpoints.kafka)
    # Planning knows the registrations before any test submits (else a copy for the ERP would be missed).
    asyncio.run(wait_until_consumed(infra.endpoints.kafka, ["planning"], [ERP_CLIENTS_TOPIC], strict=True))
    return stack


@pytest.fixture
def example_erp(demo: Stack, infra: InfraHandle) -> Iterator[ErpInThread]:
    """De Regenboog's example ERP, evaluating (accepting) what is submitted while the test runs.

    A new consumer group starting at the end of the topic: requests other tests left pending stay pending."""
    config = Config(client_id="regenboog", password=demo_erp_password("regenboog"),
                    bootstrap_servers=infra.endpoints.kafka.bootstrap_servers,
                    group_id=f"erp.regenboog.web-test-{uuid.uuid4().hex[:8]}", auto_offset_reset="latest",
                    evaluator_id="example-erp", organisations=frozenset({uuid.UUID(REGENBOOG)}))
    with ErpInThread(config) as erp:
        yield erp


@pytest.fixture
def sem_credit(demo: Stack) -> str:
    """A new credit of 40 hours for Sem (the demo's own runs out over reruns that keep the data); its name."""
    name = f"Testtegoed {uuid.uuid4().hex[:6]}"
    today = date.today()
    answer = httpx.put(f"{demo.url(GATEWAY)}/api/v1/credits/{uuid.uuid4()}", timeout=30,
                       headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"},
                       json={"organisation_id": REGENBOOG, "child_id": demo_id("child:sem"), "unit": "hours",
                             "amount": "40", "valid_from": today.isoformat(),
                             "valid_until": (today + timedelta(days=700)).isoformat(), "description": name})
    assert answer.status_code == 200, answer.text
    return name


@pytest.fixture(scope="session")
def portal(demo: Stack) -> str:
    return demo.url(WEB)


@pytest.fixture(scope="session")
def browser(portal: str) -> Iterator[Any]:
    # After the stack (`portal`): Playwright's sync API keeps an event loop running in this thread, and the
    # infrastructure fixtures call asyncio.run.
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make install` installs Debian's chromium package")
    from playwright.sync_api import expect

    # The suite shares two cores with much else: generous waits, never fixed sleeps.
    expect.set_options(timeout=20_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def visit(browser: Any, portal: str) -> Iterator[Visit]:
    v = Visit(browser, portal)
    yield v
    v.close()
