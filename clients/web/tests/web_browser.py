"""What the browser tests share: the browser context, logging in, the axe check, phone and desktop screenshots."""

import secrets
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from konnect_devstack import paths

CHROMIUM = Path("/usr/lib/chromium/chromium")  # the real binary, not the /usr/bin wrapper script
ARTIFACTS = paths.ROOT / ".local" / "artifacts" / "web"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
DEMO_PASSWORD = "konnect-demo"
ANNE = "anne.dejong@demo.konnect.nl"
MARK = "mark.dejong@demo.konnect.nl"
_axe = Axe()


class Visit:
    """One browser context (a phone by default) that records every request the pages make."""

    def __init__(self, browser: Any, portal: str, viewport: dict[str, int] = PHONE) -> None:
        self.portal = portal
        # A client address of its own (the test portal trusts the header from loopback): the gateway's login
        # limit counts per address, and every visit would otherwise be 127.0.0.1.
        address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"
        self.context = browser.new_context(viewport=viewport, locale="nl-NL", base_url=portal,
                                           extra_http_headers={"X-Forwarded-For": address})
        self.requests: list[str] = []
        self.script_bytes: dict[str, int] = {}  # every JavaScript file a page loaded, by address
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.context.on("response", self._count_script)
        self.context.set_default_timeout(60_000)
        self.page = self.context.new_page()

    def _count_script(self, response: Any) -> None:
        if response.request.resource_type == "script":
            try:
                self.script_bytes[response.url] = len(response.body())
            except Exception:  # the page moved on before the body was read: the declared size counts
                self.script_bytes[response.url] = int(response.headers.get("content-length", 0))

    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if not (u.startswith(self.portal + "/") or u.startswith("data:"))]

    def close(self) -> None:
        self.context.close()


def log_in(page: Any, email: str, password: str = DEMO_PASSWORD, *, goto: bool = True) -> None:
    if goto:
        page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.locator("form[action='/login'] button[type=submit]").click()
    page.wait_for_load_state()


def serious_violations(page: Any) -> list[str]:
    results = _axe.run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def check_screen(page: Any, name: str) -> None:
    """0 serious/critical axe violations, and a screenshot at phone and desktop width (test artefacts)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    violations = serious_violations(page)
    assert not violations, f"{name}: {violations}"
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(PHONE)
