"""Builds a small organisation through the public admin API, as an ERP would, with fresh ids per test."""

import itertools
import random
import re
import uuid
from dataclasses import dataclass, field

import httpx
from konnect_devstack.pytest_plugin import Mailpit, eventually

OPERATOR = {"Authorization": "Bearer dev-platform-operator-token"}
PASSWORD = "a good long password"


def new_id() -> str:
    return str(uuid.uuid4())


def address(name: str) -> str:
    return f"{name}.{uuid.uuid4().hex[:10]}@example.com"


def client_ip() -> dict[str, str]:
    """A distinct client address per test (the test stack's gateway trusts X-Forwarded-For from loopback,
    set explicitly by the `stack` fixture: by default a gateway trusts no proxy).

    Handed out from a counter, not drawn at random: with a few hundred logins in a run, random picks
    from a small range collided and one test's logins counted against another's limit."""
    n = next(_client_addresses)
    return {"X-Forwarded-For": f"100.{64 + n // 65536 % 64}.{n // 256 % 256}.{n % 256}"}


# 100.64.0.0/10 (shared address space): a million addresses, a random start so reruns against a kept
# stack within the limiter's window do not reuse the previous run's addresses.
_client_addresses = itertools.count(random.randrange(1 << 20))


@dataclass
class World:
    org: str = field(default_factory=new_id)
    location: str = field(default_factory=new_id)
    groups: dict[str, str] = field(default_factory=dict)
    staff: dict[str, str] = field(default_factory=dict)
    families: dict[str, str] = field(default_factory=dict)
    parents: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (parent id, e-mail)
    children: dict[str, str] = field(default_factory=dict)


async def put(gateway: httpx.AsyncClient, path: str, body: dict) -> dict:
    response = await gateway.put(f"/api/v1{path}", json=body, headers=OPERATOR)
    assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
    return response.json()


async def build_world(gateway: httpx.AsyncClient) -> World:
    """Two families: de Vries (two parents, two children in different groups) and Bakker (one child)."""
    w = World()
    await put(gateway, f"/platform/organisations/{w.org}", {"name": "Kinderopvang Test"})
    await put(gateway, f"/admin/directory/locations/{w.location}", {"organisation_id": w.org, "name": "Centrum"})
    for key, care_type in (("dolfijnen", "day_care"), ("vlinders", "after_school")):
        w.groups[key] = new_id()
        await put(gateway, f"/admin/directory/groups/{w.groups[key]}",
                  {"organisation_id": w.org, "location_id": w.location, "name": key.title(), "care_type": care_type})
    w.staff["sanne"] = new_id()
    await put(gateway, f"/admin/directory/staff/{w.staff['sanne']}",
              {"organisation_id": w.org, "name": "Sanne Bakker", "group_ids": [w.groups["dolfijnen"]]})
    await put(gateway, "/admin/directory/consent-kinds/photo_sharing",
              {"organisation_id": w.org, "label_nl": "Foto's delen", "label_en": "Share photos"})
    for family, parents in (("devries", ("eva", "tom")), ("bakker", ("ilse",))):
        w.families[family] = new_id()
        await put(gateway, f"/admin/directory/families/{w.families[family]}",
                  {"organisation_id": w.org, "name": family})
        for parent in parents:
            w.parents[parent] = (new_id(), address(parent))
            await put(gateway, f"/admin/directory/parents/{w.parents[parent][0]}",
                      {"organisation_id": w.org, "family_id": w.families[family], "name": parent.title(),
                       "email": w.parents[parent][1], "language": "en" if parent == "tom" else "nl"})
    for child, family, group, care_type in (("noor", "devries", "dolfijnen", "day_care"),
                                            ("daan", "devries", "vlinders", "after_school"),
                                            ("mila", "bakker", "dolfijnen", "day_care")):
        w.children[child] = new_id()
        await put(gateway, f"/admin/directory/children/{w.children[child]}",
                  {"organisation_id": w.org, "family_id": w.families[family], "first_name": child.title(),
                   "last_name": family, "birth_date": "2022-04-01", "mentor_staff_id": w.staff["sanne"]})
        await put(gateway, f"/admin/directory/placements/{new_id()}",
                  {"organisation_id": w.org, "child_id": w.children[child], "group_id": w.groups[group],
                   "care_type": care_type, "starts_on": "2026-01-05"})
    return w


def link_token(mail: dict, path: str) -> str:
    match = re.search(rf"{path}\?token=([A-Za-z0-9_\-]+)", mail["Text"])
    assert match, mail["Text"]
    return match.group(1)


async def mail_to(mailpit: Mailpit, email: str, *, subject_has: str = "", count: int = 1) -> list[dict]:
    """The newest `count` mails to `email` (waiting for them), full bodies."""
    def found() -> list[dict] | None:
        messages = [m for m in mailpit.messages_to(email) if subject_has in m["Subject"]]
        return messages if len(messages) >= count else None

    messages = await eventually(found, timeout=30)
    return [mailpit.message(m["ID"]) for m in messages[:count]]


async def logged_in(gateway: httpx.AsyncClient, mailpit: Mailpit, email: str) -> dict:
    """Accept the invitation from the e-mail and return the tokens."""
    [invitation] = await mail_to(mailpit, email)
    response = await gateway.post("/api/v1/auth/invitation/accept",
                                  json={"token": link_token(invitation, "invitation"), "password": PASSWORD},
                                  headers=client_ip())
    assert response.status_code == 200, response.text
    return response.json()


def bearer(tokens: dict) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}
