"""The demo organisations, seeded through the public API like an ERP would, idempotently (stable ids).

Every demo login gets the password `konnect-demo` by following its real invitation e-mail (read from
mailpit), so the seed exercises the same path a parent does.
"""

import re
import time
import uuid
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import httpx

from konnect_devstack.demo_location import TEAM_INTRODUCTIONS, LocationSeeder

if TYPE_CHECKING:
    from konnect_kit.kafka import KafkaConnection
    from konnect_kit.kafka_access import ErpCredentials

DEMO_PASSWORD = "konnect-demo"
OPERATOR_TOKEN = "dev-platform-operator-token"
_NS = uuid.UUID("6f1e7a4c-2d1b-4c8e-9d51-0a9b8c7d6e5f")


def demo_id(name: str) -> str:
    """Stable ids: seeding twice updates the same records instead of creating new ones."""
    return str(uuid.uuid5(_NS, name))


@dataclass(frozen=True)
class DemoLogin:
    email: str
    who: str
    organisation: str


REGENBOOG, SPEELHUIS = demo_id("org:regenboog"), demo_id("org:speelhuis")
ORGANISATIONS = {REGENBOOG: "Kinderopvang De Regenboog", SPEELHUIS: "BSO Het Speelhuis"}
LOCATIONS = [  # (key, organisation, name, street, number, postal code, city)
    ("centrum", REGENBOOG, "Regenboog Centrum", "Oudegracht", "101", "3511 AD", "Utrecht"),
    ("noord", REGENBOOG, "Regenboog Noord", "Amsterdamsestraatweg", "480", "3551 CN", "Utrecht"),
    ("speelhuis", SPEELHUIS, "Het Speelhuis", "Schoolstraat", "7", "3581 PS", "Utrecht"),
]
GROUPS = [  # (key, location, name, care type)
    ("dolfijnen", "centrum", "Dolfijnen", "day_care"), ("zeesterren", "centrum", "Zeesterren", "toddler"),
    ("egeltjes", "noord", "Egeltjes", "day_care"), ("vlinders", "noord", "Vlinders", "after_school"),
    ("ontdekkers", "speelhuis", "Ontdekkers", "after_school"),
]
STAFF = [  # (key, organisation, name, email, groups, is_admin)
    ("sanne", REGENBOOG, "Sanne Bakker", "sanne.bakker@demo.konnect.nl", ["dolfijnen", "zeesterren"], False),
    ("mohamed", REGENBOOG, "Mohamed El Amrani", "mohamed.elamrani@demo.konnect.nl", ["vlinders", "egeltjes"], False),
    ("petra", REGENBOOG, "Petra Visser (planning)", "petra.visser@demo.konnect.nl", [], True),
    ("joost", SPEELHUIS, "Joost Smit", "joost.smit@demo.konnect.nl", ["ontdekkers"], True),
]
FAMILIES = [  # (key, organisation, name, parents [(key, name, email, language)])
    ("dejong", REGENBOOG, "Familie de Jong", [("anne", "Anne de Jong", "anne.dejong@demo.konnect.nl", "nl"),
                                               ("mark", "Mark de Jong", "mark.dejong@demo.konnect.nl", "en")]),
    ("jansen-bos", REGENBOOG, "Jansen / Bos", [("eva", "Eva Jansen", "eva.jansen@demo.konnect.nl", "nl"),
                                               ("thomas", "Thomas Bos", "thomas.bos@demo.konnect.nl", "nl")]),
    ("yilmaz", REGENBOOG, "Familie Yilmaz", [("fatima", "Fatima Yilmaz", "fatima.yilmaz@demo.konnect.nl", "nl")]),
    ("yilmaz-bso", SPEELHUIS, "Familie Yilmaz",
     [("fatima-bso", "Fatima Yilmaz", "fatima.yilmaz@demo.konnect.nl", "nl")]),
]
DAY_PARTS = [  # (key, care type, name, starts, ends, price)
    ("dc-morning", "day_care", "Ochtend", "07:30", "13:00", {"price_per_part": "52.50"}),
    ("dc-afternoon", "day_care", "Middag", "13:00", "18:30", {"price_per_part": "52.50"}),
    ("toddler-morning", "toddler", "Peuterochtend", "08:30", "12:00", {"price_per_hour": "10.25"}),
    ("bso-afternoon", "after_school", "Na school", "14:00", "18:30", {"price_per_hour": "9.75"}),
    ("bso-holiday", "after_school", "Vakantiedag", "08:00", "18:30", {"price_per_part": "85.00"}),
]
PATTERNS = {  # child → weekday → day parts (0 = Monday)
    "sem": {0: ["dc-morning", "dc-afternoon"], 1: ["dc-morning", "dc-afternoon"], 3: ["dc-morning"]},
    "lotte": {0: ["bso-afternoon"], 3: ["bso-afternoon"]},
    "noah": {1: ["dc-morning", "dc-afternoon"], 2: ["dc-morning", "dc-afternoon"]},
    "yusuf": {1: ["toddler-morning"], 4: ["toddler-morning"]},
    "elif": {0: ["bso-afternoon"], 2: ["bso-afternoon"], 4: ["bso-afternoon"]},
}
CREDITS = [  # (key, child, unit, amount, description)
    ("sem-2026", "sem", "hours", "22", "Ruiltegoed 2026"),
    ("lotte-holiday", "lotte", "points", "4", "Vakantiedagen"),
]
CHILDREN = [  # (key, family, first, last, birth date, mentor, group, care type)
    ("sem", "dejong", "Sem", "de Jong", date(2023, 3, 14), "sanne", "dolfijnen", "day_care"),
    ("lotte", "dejong", "Lotte", "de Jong", date(2018, 9, 2), "mohamed", "vlinders", "after_school"),
    ("noah", "jansen-bos", "Noah", "Bos", date(2022, 11, 20), "mohamed", "egeltjes", "day_care"),
    ("yusuf", "yilmaz", "Yusuf", "Yilmaz", date(2024, 1, 8), "sanne", "zeesterren", "toddler"),
    ("elif", "yilmaz-bso", "Elif", "Yilmaz", date(2017, 5, 30), "joost", "ontdekkers", "after_school"),
]
CONSENT_KINDS = [("photo_sharing", "Foto's mogen gedeeld worden met andere ouders",
                  "Photos may be shared with other parents", "consent"),
                 ("outings", "Mag mee op uitstapjes", "May join outings", "consent"),
                 ("sunscreen", "Verklaring zonnebrand smeren", "Declaration: sunscreen may be applied", "declaration")]


def logins() -> list[DemoLogin]:
    people = [(email, f"staff{' (admin)' if admin else ''}: {name}", org) for _, org, name, email, _, admin in STAFF]
    for _, org, _, parents in FAMILIES:
        people += [(email, f"parent: {name}", org) for _, name, email, _ in parents]
    return [DemoLogin(email, who, ORGANISATIONS[org]) for email, who, org in people]


class Seeder:
    def __init__(self, gateway: str, mailpit: str) -> None:
        self.api = httpx.Client(base_url=gateway, timeout=30,
                                headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
        self.mailpit = mailpit

    def put(self, path: str, body: dict) -> dict:
        response = self.api.put(f"/api/v1{path}", json=body)
        if response.status_code >= 400:
            raise RuntimeError(f"seeding {path} failed: {response.status_code} {response.text}")
        return response.json()

    def run(self) -> None:
        for org, name in ORGANISATIONS.items():
            self.put(f"/platform/organisations/{org}", {"name": name, "time_zone": "Europe/Amsterdam"})
            for key, nl, en, kind in CONSENT_KINDS:
                self.put(f"/admin/directory/consent-kinds/{key}",
                         {"organisation_id": org, "label_nl": nl, "label_en": en, "kind": kind})
        for key, org, name, street, number, postal, city in LOCATIONS:
            self.put(f"/admin/directory/locations/{demo_id('loc:' + key)}",
                     {"organisation_id": org, "name": name, "street": street, "house_number": number,
                      "postal_code": postal, "city": city, "phone": "+31 30 000 0000"})
        location_org = {key: org for key, org, *_ in LOCATIONS}
        for key, location, name, care_type in GROUPS:
            self.put(f"/admin/directory/groups/{demo_id('group:' + key)}",
                     {"organisation_id": location_org[location], "location_id": demo_id("loc:" + location),
                      "name": name, "care_type": care_type})
        for key, org, name, email, groups, admin in STAFF:
            self.put(f"/admin/directory/staff/{demo_id('staff:' + key)}",
                     {"organisation_id": org, "name": name, "email": email, "is_admin": admin,
                      "group_ids": [demo_id("group:" + g) for g in groups],
                      "bio": TEAM_INTRODUCTIONS.get(key, f"{name} werkt met veel plezier bij {ORGANISATIONS[org]}.")})
        family_org = {}
        for key, org, name, parents in FAMILIES:
            family_org[key] = org
            self.put(f"/admin/directory/families/{demo_id('family:' + key)}", {"organisation_id": org, "name": name})
            for pkey, pname, email, language in parents:
                self.put(f"/admin/directory/parents/{demo_id('parent:' + pkey)}",
                         {"organisation_id": org, "family_id": demo_id("family:" + key), "name": pname,
                          "email": email, "language": language})
        for org in ORGANISATIONS:
            # Read models of services added or upgraded since this stack first ran catch up (no-op otherwise).
            republished = self.api.post("/api/v1/admin/directory/republish", json={"organisation_id": org})
            if republished.status_code != 202:
                raise RuntimeError(f"republishing the directory failed: {republished.text}")
            self._put_when_planning_knows(
                f"/admin/planning/organisations/{org}/settings",
                {"open_weekdays": [0, 1, 2, 3, 4], "cancel_window_hours": 24, "staff_may_evaluate": True})
            for key, care_type, name, starts, ends, price in DAY_PARTS:
                self._put_when_planning_knows(
                    f"/admin/planning/day-parts/{demo_id(f'part:{org}:{key}')}",
                    {"organisation_id": org, "care_type": care_type, "name": name, "starts_at": starts,
                     "ends_at": ends, **price})
        for key, location, _, care_type in GROUPS:
            org = location_org[location]
            for part_key, part_care_type, *_ in DAY_PARTS:
                if part_care_type == care_type:
                    part = demo_id(f"part:{org}:{part_key}")
                    self._put_when_planning_knows(
                        f"/admin/planning/groups/{demo_id('group:' + key)}/capacity/{part}", {"capacity": 12})
        for key, family, first, last, born, mentor, group, care_type in CHILDREN:
            org = family_org[family]
            self.put(f"/admin/directory/children/{demo_id('child:' + key)}",
                     {"organisation_id": org, "family_id": demo_id("family:" + family), "first_name": first,
                      "last_name": last, "birth_date": born.isoformat(), "mentor_staff_id": demo_id("staff:" + mentor)})
            pattern = [{"weekday": day, "day_part_ids": [demo_id(f"part:{org}:{p}") for p in parts]}
                       for day, parts in PATTERNS[key].items()]
            self.put(f"/admin/directory/placements/{demo_id('placement:' + key)}",
                     {"organisation_id": org, "child_id": demo_id("child:" + key),
                      "group_id": demo_id("group:" + group), "care_type": care_type, "starts_on": "2026-01-05",
                      "weekly_pattern": pattern})
        child_org = {key: family_org[family] for key, family, *_ in CHILDREN}
        for key, child, unit, amount, description in CREDITS:
            self.put(f"/credits/{demo_id('credit:' + key)}",
                     {"organisation_id": child_org[child], "child_id": demo_id("child:" + child), "unit": unit,
                      "amount": amount, "valid_from": "2026-01-01", "valid_until": "2027-12-31",
                      "description": description})
        self.activate_logins()
        LocationSeeder(self.api, DEMO_PASSWORD, demo_id, {"regenboog": REGENBOOG, "speelhuis": SPEELHUIS},
                       {key: email for key, _, _, email, _, _ in STAFF}).run()
        from konnect_devstack.demo_timeline import TimelineSeeder  # photos and diary entries, as staff and parents

        TimelineSeeder(str(self.api.base_url).rstrip("/"), DEMO_PASSWORD, {
            **{f"group:{key}": demo_id("group:" + key) for key, *_ in GROUPS},
            **{f"child:{key}": demo_id("child:" + key) for key, *_ in CHILDREN}}).run()
        from konnect_devstack.demo_messages import seed_messages  # conversations need the demo logins

        seed_messages(str(self.api.base_url).rstrip("/"))

    def _put_when_planning_knows(self, path: str, body: dict, timeout: float = 60) -> None:
        """Planning learns groups from identity's events: a capacity for a group it has not seen yet waits."""
        deadline = time.monotonic() + timeout
        while True:
            response = self.api.put(f"/api/v1{path}", json=body)
            if response.status_code < 400:
                return
            if response.status_code != 404 or time.monotonic() > deadline:
                raise RuntimeError(f"seeding {path} failed: {response.status_code} {response.text}")
            time.sleep(0.3)

    def activate_logins(self, timeout: float = 90) -> None:
        """Follow the invitation e-mails and set the demo password, until every demo login is active."""
        deadline = time.monotonic() + timeout
        waiting = self._inactive()
        while waiting and time.monotonic() < deadline:
            for email in sorted(waiting.values()):
                # One address may hold logins at two organisations: each token activates its own account,
                # and a token that was used before simply answers 400.
                for token in self._invitation_tokens(email):
                    httpx.post(f"{self.api.base_url}/api/v1/auth/invitation/accept", timeout=30,
                               json={"token": token, "password": DEMO_PASSWORD})
            waiting = self._inactive()
            if waiting:
                time.sleep(0.5)
        if waiting:
            raise RuntimeError(f"demo logins not activated (no invitation e-mail?): {sorted(waiting.values())}")

    def _inactive(self) -> dict[str, str]:
        """account id → e-mail of the demo logins not active yet (asked as the platform operator)."""
        people = [(demo_id("staff:" + key), email) for key, _, _, email, _, _ in STAFF]
        people += [(demo_id("parent:" + key), email) for _, _, _, parents in FAMILIES for key, _, email, _ in parents]
        inactive = {}
        for account_id, email in people:
            status = self.api.get(f"/api/v1/admin/accounts/{account_id}")
            if status.status_code != 200 or status.json()["status"] != "active":
                inactive[account_id] = email
        return inactive

    def _invitation_tokens(self, email: str) -> list[str]:
        found = httpx.get(f"{self.mailpit}/api/v1/search", params={"query": f"to:{email}"}, timeout=10).json()
        tokens = []
        for message in found.get("messages", []):
            body = httpx.get(f"{self.mailpit}/api/v1/message/{message['ID']}", timeout=10).json()
            tokens += re.findall(r"invitation\?token=([A-Za-z0-9_\-]+)", body.get("Text", ""))
        return tokens


def print_logins() -> None:
    print(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for login in logins():
        print(f"  {login.email:40} {login.who:40} {login.organisation}")
    print("  (fatima.yilmaz@demo.konnect.nl has a login at both organisations: log in with organisation_id)")


# One ERP client per demo organisation, with fixed development passwords: `make up` registers them again on
# every run (idempotent) and the printed credentials stay valid.
DEMO_ERP_CLIENTS = {"regenboog": REGENBOOG, "speelhuis": SPEELHUIS}


def demo_erp_password(client_id: str) -> str:
    return f"dev-erp-{client_id}"


def register_demo_erp_clients(admin: "KafkaConnection") -> list["ErpCredentials"]:
    """Each demo organisation's ERP client: its Kafka user, topics, ACLs and registration with planning."""
    import asyncio

    from konnect_kit.kafka_access import erp_add

    async def register() -> list["ErpCredentials"]:
        return [await erp_add(admin, client, [uuid.UUID(org)], password=demo_erp_password(client))
                for client, org in DEMO_ERP_CLIENTS.items()]

    return asyncio.run(register())


def print_erp_credentials(credentials: list["ErpCredentials"], bootstrap: str) -> None:
    print(f"\nERP Kafka credentials (SASL_PLAINTEXT, SCRAM-SHA-512, bootstrap {bootstrap}):")
    for c in credentials:
        print(f"  {ORGANISATIONS[str(c.organisations[0])]:28} user {c.username:16} password {c.password}")
        print(f"  {'':28} reads {c.requests_topic}, writes {c.evaluations_topic}, groups {c.group_prefix}*")
    first = credentials[0]
    print(f"  e.g. cd deploy/examples/erp_client && ERP_KAFKA_PASSWORD={first.password} "
          f"../../../.venv/bin/python -m erp_client --client-id {first.client_id} --bootstrap {bootstrap}")
