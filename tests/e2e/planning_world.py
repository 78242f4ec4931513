"""A planning-ready organisation built through the public API, plus the example ERP client as a process."""

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from uuid import UUID

import httpx
from e2e_world import OPERATOR, address, bearer, logged_in, new_id, put
from kafka_tools import wait_until_consumed
from konnect_devstack import paths
from konnect_devstack.pytest_plugin import Mailpit, eventually, internal_headers
from konnect_devstack.stack import DOMAIN_SERVICES
from konnect_kit.kafka import KafkaConnection
from konnect_kit.kafka_access import ERP_CLIENTS_TOPIC, ErpCredentials, erp_add

ERP_CLIENT = paths.ROOT / "deploy" / "examples" / "erp_client"


def monday_in(weeks: int) -> date:
    today = date.today()
    return today + timedelta(days=7 - today.weekday() + 7 * (weeks - 1))


@dataclass
class PlanningWorld:
    org: str = field(default_factory=new_id)
    location: str = field(default_factory=new_id)
    groups: dict[str, str] = field(default_factory=dict)
    parts: dict[str, str] = field(default_factory=dict)  # morning, afternoon, short
    families: dict[str, str] = field(default_factory=dict)
    parents: dict[str, tuple[str, str]] = field(default_factory=dict)
    children: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, dict] = field(default_factory=dict)

    def as_parent(self, parent: str) -> dict[str, str]:
        return bearer(self.tokens[parent])


async def put_when_planning_knows(gateway: httpx.AsyncClient, path: str, body: dict) -> dict:
    """Planning learns organisations and groups from identity's events: a moment after they are created it
    may not know them yet (404 "... (yet)"); the call is repeated until it does."""
    async def attempt() -> dict | None:
        response = await gateway.put(f"/api/v1{path}", json=body, headers=OPERATOR)
        if response.status_code == 404 and "(yet)" in response.text:
            return None
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
        return response.json()

    return await eventually(attempt, timeout=30)


async def build_planning_world(gateway: httpx.AsyncClient, mailpit: Mailpit, *,
                               cancel_window_hours: int = 24) -> PlanningWorld:
    """Day care with morning/afternoon/short parts; De Vries (Noor, Daan), Bakker (Mila), Jansen (Ruben).

    Noor: Mon morning+afternoon, Tue morning. Daan: Mon morning. Mila: Thu morning in Egeltjes, whose
    morning capacity is 1. Ruben: Mon morning in Egeltjes.
    """
    w = PlanningWorld()
    await put(gateway, f"/platform/organisations/{w.org}", {"name": "Kinderopvang Planning"})
    await put(gateway, f"/admin/directory/locations/{w.location}", {"organisation_id": w.org, "name": "Centrum"})
    for key, (name, starts, ends, price) in {
        "morning": ("Ochtend", "07:30", "13:00", {"price_per_part": "55.00"}),
        "afternoon": ("Middag", "13:00", "18:30", {"price_per_part": "55.00"}),
        "short": ("Korte middag", "13:00", "15:00", {"price_per_hour": "10.50"}),
    }.items():
        w.parts[key] = new_id()
        await put_when_planning_knows(gateway, f"/admin/planning/day-parts/{w.parts[key]}",
                  {"organisation_id": w.org, "care_type": "day_care", "name": name, "starts_at": starts,
                   "ends_at": ends, **price})
    await put_when_planning_knows(gateway, f"/admin/planning/organisations/{w.org}/settings",
              {"open_weekdays": [0, 1, 2, 3, 4], "cancel_window_hours": cancel_window_hours})
    for group in ("dolfijnen", "egeltjes"):
        w.groups[group] = new_id()
        await put(gateway, f"/admin/directory/groups/{w.groups[group]}",
                  {"organisation_id": w.org, "location_id": w.location, "name": group.title(),
                   "care_type": "day_care"})
    for family, parents in (("devries", ("eva", "tom")), ("bakker", ("ilse",)), ("jansen", ("joris",))):
        w.families[family] = new_id()
        await put(gateway, f"/admin/directory/families/{w.families[family]}", {"organisation_id": w.org,
                                                                                 "name": family})
        for parent in parents:
            w.parents[parent] = (new_id(), address(parent))
            await put(gateway, f"/admin/directory/parents/{w.parents[parent][0]}",
                      {"organisation_id": w.org, "family_id": w.families[family], "name": parent.title(),
                       "email": w.parents[parent][1], "language": "en" if parent == "tom" else "nl"})
    m, a = w.parts["morning"], w.parts["afternoon"]
    for child, family, group, pattern in (
        ("noor", "devries", "dolfijnen", [{"weekday": 0, "day_part_ids": [m, a]}, {"weekday": 1, "day_part_ids": [m]}]),
        ("daan", "devries", "dolfijnen", [{"weekday": 0, "day_part_ids": [m]}]),
        ("mila", "bakker", "egeltjes", [{"weekday": 3, "day_part_ids": [m]}]),
        ("ruben", "jansen", "egeltjes", [{"weekday": 0, "day_part_ids": [m]}]),
    ):
        w.children[child] = new_id()
        await put(gateway, f"/admin/directory/children/{w.children[child]}",
                  {"organisation_id": w.org, "family_id": w.families[family], "first_name": child.title(),
                   "last_name": family, "birth_date": "2023-02-01"})
        await put(gateway, f"/admin/directory/placements/{new_id()}",
                  {"organisation_id": w.org, "child_id": w.children[child], "group_id": w.groups[group],
                   "care_type": "day_care", "starts_on": date.today().isoformat(), "weekly_pattern": pattern})
    await put_when_planning_knows(gateway, f"/admin/planning/groups/{w.groups['egeltjes']}/capacity/{m}",
                                  {"capacity": 1})
    for parent in w.parents:
        w.tokens[parent] = await logged_in(gateway, mailpit, w.parents[parent][1])
    # Planning learns the directory from events: wait until it knows the last child's placement.
    last = w.children["ruben"]

    async def planning_knows() -> bool:
        r = await gateway.get(f"/api/v1/availability/{last}/{monday_in(2).isoformat()}", headers=w.as_parent("joris"))
        return r.status_code == 200 and r.json()["placement"] is not None

    await eventually(planning_knows, timeout=30)
    return w


async def grant_credit(gateway: httpx.AsyncClient, w: PlanningWorld, child: str, hours: str) -> str:
    credit = str(uuid.uuid4())
    await put(gateway, f"/credits/{credit}", {
        "organisation_id": w.org, "child_id": w.children[child], "unit": "hours", "amount": hours,
        "valid_from": date.today().isoformat(), "valid_until": (date.today() + timedelta(days=365)).isoformat()})

    async def planning_knows_credit() -> bool:  # planning validates credits against its read model
        r = await gateway.get(f"/api/v1/children/{w.children[child]}/credits", headers=OPERATOR)
        return r.status_code == 200 and any(c["credit_id"] == credit for c in r.json()["items"])

    await eventually(planning_knows_credit, timeout=30)
    return credit


@asynccontextmanager
async def erp_client(admin: KafkaConnection, organisation: str, *reject_children: str,
                     client_id: str | None = None) -> AsyncIterator[ErpCredentials]:
    """The example ERP client, as its own process and its own Kafka principal, registered (as the operator
    would) for this test's organisation only; yields its credentials."""
    credentials = await erp_add(admin, client_id or f"e2e-{uuid.uuid4().hex[:12]}", [UUID(organisation)])
    await wait_until_consumed(admin, ["planning"], [ERP_CLIENTS_TOPIC], strict=True)  # planning knows it now
    argv = [sys.executable, "-m", "erp_client", "--bootstrap", admin.bootstrap_servers,
            "--client-id", credentials.client_id, "--security-protocol", admin.security_protocol]
    for child in reject_children:
        argv += ["--reject-child", child]
    log = open(paths.log_dir("test") / f"erp-client-{organisation[:8]}.log", "ab")  # noqa: ASYNC230 (a log file)
    env = {**os.environ, "ERP_KAFKA_PASSWORD": credentials.password or ""}
    # A separate process like a real integrator's; started once per test, a blocking spawn is fine here.
    process = subprocess.Popen(argv, cwd=Path(ERP_CLIENT), stdout=log,  # noqa: ASYNC220
                               stderr=subprocess.STDOUT, env=env)
    try:
        yield credentials
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


async def request_settled(gateway: httpx.AsyncClient, headers: dict, request_id: str, *, timeout: float = 40) -> dict:
    async def decided() -> dict | None:
        body = (await gateway.get(f"/api/v1/requests/{request_id}", headers=headers)).json()
        lines = [line for child in body["children"] for line in child["lines"]]
        return body if all(line["status"] != "pending" for line in lines) else None

    return await eventually(decided, timeout=timeout)


def statuses(request: dict) -> dict[str, str]:
    return {child["child_id"]: child["status"] for child in request["children"]}


async def deliveries_to(stack, address: str) -> list[str]:
    """The notifications service's delivery log (operators only; not on the public API)."""
    notifications = next(s for s in DOMAIN_SERVICES if s.name == "notifications")
    async with httpx.AsyncClient(timeout=30) as client:
        r = await client.get(f"{stack.url(notifications)}/deliveries", params={"recipient": address, "limit": 200},
                             headers=internal_headers("platform_operator", "operator"))
        assert r.status_code == 200, r.text
        return sorted(d["delivery_id"] for d in r.json()["items"])
