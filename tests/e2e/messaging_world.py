"""An organisation for messaging built through the public API: three families, group staff, a mentor, an admin.

Jansen: Anne and Mark, parents of Sem (Dolfijnen; his mentor Pieter works in Vlinders). De Vries: Eva and
Thomas, separated, each with their own login, parents of Lotte (Dolfijnen). Bakker: Ilse, mother of Mila
(Dolfijnen). Staff: Joyce (Dolfijnen), Pieter (Vlinders), and an organisation admin who works in no group.
"""

from dataclasses import dataclass, field
from datetime import date

import httpx
from e2e_world import address, bearer, logged_in, new_id, put
from kafka_tools import wait_until_consumed
from konnect_contracts.events.directory import TOPIC as DIRECTORY_TOPIC
from konnect_devstack.pytest_plugin import Mailpit
from konnect_kit.kafka import KafkaConnection


@dataclass
class MessagingWorld:
    org: str = field(default_factory=new_id)
    location: str = field(default_factory=new_id)
    groups: dict[str, str] = field(default_factory=dict)
    staff: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (staff id = account id, e-mail)
    families: dict[str, str] = field(default_factory=dict)
    parents: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (parent id = account id, e-mail)
    children: dict[str, str] = field(default_factory=dict)
    placements: dict[str, str] = field(default_factory=dict)  # child → placement id
    tokens: dict[str, dict] = field(default_factory=dict)

    def as_(self, person: str) -> dict[str, str]:
        return bearer(self.tokens[person])

    def account(self, person: str) -> str:
        return (self.parents.get(person) or self.staff[person])[0]


STAFF = {"joyce": ("dolfijnen", False), "pieter": ("vlinders", False), "admin": (None, True)}
FAMILIES = {"jansen": ("anne", "mark"), "devries": ("eva", "thomas"), "bakker": ("ilse",)}
CHILDREN = {"sem": ("jansen", "dolfijnen", "pieter"), "lotte": ("devries", "dolfijnen", None),
            "mila": ("bakker", "dolfijnen", None)}


async def build_messaging_world(gateway: httpx.AsyncClient, mailpit: Mailpit, kafka: KafkaConnection, *,
                                extra_families: int = 0) -> MessagingWorld:
    """`extra_families`: more one-parent families with a child in Dolfijnen (no logins), for group messages."""
    w = MessagingWorld()
    await put(gateway, f"/platform/organisations/{w.org}", {"name": "Kinderopvang Berichten"})
    await put(gateway, f"/admin/directory/locations/{w.location}", {"organisation_id": w.org, "name": "Centrum"})
    for group in ("dolfijnen", "vlinders"):
        w.groups[group] = new_id()
        await put(gateway, f"/admin/directory/groups/{w.groups[group]}", {
            "organisation_id": w.org, "location_id": w.location, "name": group.title(), "care_type": "day_care"})
    for person, (group, is_admin) in STAFF.items():
        w.staff[person] = (new_id(), address(person))
        await put(gateway, f"/admin/directory/staff/{w.staff[person][0]}", {
            "organisation_id": w.org, "name": person.title(), "email": w.staff[person][1], "is_admin": is_admin,
            "group_ids": [w.groups[group]] if group else []})
    families = dict(FAMILIES)
    children = dict(CHILDREN)
    for n in range(extra_families):
        families[f"gezin{n}"] = (f"ouder{n}",)
        children[f"kind{n}"] = (f"gezin{n}", "dolfijnen", None)
    for family, parents in families.items():
        w.families[family] = new_id()
        await put(gateway, f"/admin/directory/families/{w.families[family]}", {"organisation_id": w.org,
                                                                                 "name": family.title()})
        for parent in parents:
            w.parents[parent] = (new_id(), address(parent))
            await put(gateway, f"/admin/directory/parents/{w.parents[parent][0]}", {
                "organisation_id": w.org, "family_id": w.families[family], "name": parent.title(),
                "email": w.parents[parent][1], "language": "en" if parent == "mark" else "nl"})
    for child, (family, group, mentor) in children.items():
        w.children[child] = new_id()
        await put(gateway, f"/admin/directory/children/{w.children[child]}", {
            "organisation_id": w.org, "family_id": w.families[family], "first_name": child.title(),
            "last_name": family.title(), "birth_date": "2023-02-01",
            "mentor_staff_id": w.staff[mentor][0] if mentor else None})
        w.placements[child] = new_id()
        await put(gateway, f"/admin/directory/placements/{w.placements[child]}", {
            "organisation_id": w.org, "child_id": w.children[child], "group_id": w.groups[group],
            "care_type": "day_care", "starts_on": date.today().isoformat()})
    for person in (*STAFF, *(p for f in FAMILIES.values() for p in f)):
        email = (w.parents.get(person) or w.staff[person])[1]
        w.tokens[person] = await logged_in(gateway, mailpit, email)
    await messaging_caught_up(kafka)
    return w


async def messaging_caught_up(kafka: KafkaConnection) -> None:
    """Messaging knows the directory from identity's events: wait until it has applied all of them."""
    await wait_until_consumed(kafka, ["messaging"], [DIRECTORY_TOPIC], strict=True)
