"""Benchmark: the portal's server-rendered agenda page vs the gateway's own answer for the same data, same load.

8 users (each their own logged-in portal session, as in a browser) ask for Anne's agenda week at once: the page
(GET /agenda: /agenda through the gateway, rendered in Dutch) and, as the baseline, the gateway's
GET /api/v1/agenda for the same week. Prints p50/p99 of both and the ratio of the p99s.
Target: the page's p99 < 100 ms at 8 concurrent users.

    .venv/bin/python bench/web_pages.py [--requests 800] [--concurrency 8]
    .venv/bin/python bench/web_pages.py --portal http://127.0.0.1:8080 --gateway http://127.0.0.1:8000  # running
"""

import argparse
import asyncio
import re
import statistics
import time
from datetime import date, timedelta

import httpx
from konnect_devstack.demo import DEMO_PASSWORD

ANNE = "anne.dejong@demo.konnect.nl"


def portal_session(portal: str) -> dict[str, str]:
    """Log in through the portal's own form (CSRF token included); the session cookie as a header."""
    with httpx.Client(base_url=portal, timeout=30) as client:
        page = client.get("/login")
        # The cookie is Secure: httpx keeps it off plain http, so it is carried by hand, like a browser on localhost.
        cookie = page.headers["set-cookie"].split(";", 1)[0]
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        answer = client.post("/login", headers={"Cookie": cookie},
                             data={"email": ANNE, "password": DEMO_PASSWORD, "csrf_token": csrf})
        assert answer.status_code == 303 and answer.headers["location"] == "/agenda", answer.text
        return {"Cookie": answer.headers["set-cookie"].split(";", 1)[0]}


def gateway_token(gateway: str) -> dict[str, str]:
    tokens = httpx.post(f"{gateway}/api/v1/auth/login", json={"email": ANNE, "password": DEMO_PASSWORD}, timeout=30)
    return {"Authorization": f"Bearer {tokens.json()['access_token']}"}


async def load(url: str, sessions: list[dict[str, str]], requests: int, expect: str) -> list[float]:
    """Closed loop: one client per user, each asking again as soon as it has its answer."""
    latencies: list[float] = []
    remaining = requests

    async def user(headers: dict[str, str]) -> None:
        nonlocal remaining
        async with httpx.AsyncClient(headers=headers, timeout=30) as client:
            for _ in range(5):  # warm-up
                await client.get(url)
            while remaining > 0:
                remaining -= 1
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - started)
                assert response.status_code == 200 and expect in response.text, response.text[:300]

    await asyncio.gather(*(user(h) for h in sessions))
    return latencies


def quantiles(latencies: list[float]) -> tuple[float, float]:
    q = statistics.quantiles(latencies, n=100)
    return q[49] * 1000, q[98] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--portal", help="a running portal (else the bench profile is started from empty)")
    parser.add_argument("--gateway", help="its gateway")
    args = parser.parse_args()
    stack = None
    if args.portal and args.gateway:
        portal, gateway = args.portal, args.gateway
    else:
        from gateway_me import fresh_demo_stack
        from konnect_devstack.stack import WEB

        stack, gateway, _ = fresh_demo_stack()
        stack.start(WEB)
        stack.wait_ready(WEB)
        portal = stack.url(WEB)
    monday = date.today() - timedelta(days=date.today().weekday())
    try:
        # One login each side, shared by the users: logins are rate-limited per address and per account (and
        # a login is not what is measured).
        page_sessions = [portal_session(portal)] * args.concurrency
        api_sessions = [gateway_token(gateway)] * args.concurrency
        api_url = f"{gateway}/api/v1/agenda?from={monday}&to={monday + timedelta(days=6)}"
        api = quantiles(asyncio.run(load(api_url, api_sessions, args.requests, '"days"')))
        page = quantiles(asyncio.run(load(f"{portal}/agenda?day={monday}", page_sessions, args.requests, "Sem")))
    finally:
        if stack is not None:
            stack.down()
    print(f"web_pages: {args.concurrency} concurrent users, {args.requests} requests each side, Python closed loop")
    print(f"  GET /api/v1/agenda (gateway)   p50 {api[0]:6.1f} ms   p99 {api[1]:6.1f} ms")
    print(f"  GET /agenda page (portal)      p50 {page[0]:6.1f} ms   p99 {page[1]:6.1f} ms")
    print(f"  ratio page/gateway p99 = {page[1] / api[1]:.2f}  (the page makes one API call: /agenda)")
    print(f"  target page p99 < 100 ms: {'met' if page[1] < 100 else 'NOT met'}")


if __name__ == "__main__":
    main()
