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


ORGANISATION_KEYS = {REGENBOOG: "regenboog", SPEELHUIS: "speelhuis"}


@dataclass(frozen=True)
class DemoWorld:
    """Which copy of the demo a seeder writes: the demo itself, or a twin of some of its organisations.

    A twin has its own ids (`prefix` in the id namespace), its own e-mail domain and organisation names, so it
    lives beside the demo in the same stack: the read benchmark measures Anne's reads at De Regenboog against
    her twin's at a Regenboog the size of a big organisation, path by path.
    """

    prefix: str = ""
    email_domain: str = "demo.konnect.nl"
    organisation_keys: tuple[str, ...] = ("regenboog", "speelhuis")
    name_suffix: str = ""

    def id(self, name: str) -> str:
        return demo_id(self.prefix + name)

    def email(self, demo_address: str) -> str:
        return demo_address.split("@")[0] + "@" + self.email_domain

    def has(self, demo_organisation: str) -> bool:
        return ORGANISATION_KEYS[demo_organisation] in self.organisation_keys

    def organisation(self, demo_organisation: str) -> str:
        """This world's id of a demo organisation (the demo's own id in the demo world)."""
        return self.id("org:" + ORGANISATION_KEYS[demo_organisation])

    @property
    def organisations(self) -> dict[str, str]:
        """key -> id of this world's organisations."""
        return {key: self.id("org:" + key) for key in self.organisation_keys}


DEMO = DemoWorld()
# De Regenboog again, under other ids and addresses (the benchmark loads its big organisation into it).
TWIN_REGENBOOG = DemoWorld(prefix="twin:", email_domain="twin.konnect.nl", organisation_keys=("regenboog",),
                           name_suffix=" (tweeling)")


def logins() -> list[DemoLogin]:
    people = [(email, f"staff{' (admin)' if admin else ''}: {name}", org) for _, org, name, email, _, admin in STAFF]
    for _, org, _, parents in FAMILIES:
        people += [(email, f"parent: {name}", org) for _, name, email, _ in parents]
    return [DemoLogin(email, who, ORGANISATIONS[org]) for email, who, org in people]


class Seeder:
    def __init__(self, gateway: str, mailpit: str, world: DemoWorld = DEMO) -> None:
        self.api = httpx.Client(base_url=gateway, timeout=30,
                                headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
        self.mailpit = mailpit
        self.world = world

    def put(self, path: str, body: dict) -> dict:
        response = self.api.put(f"/api/v1{path}", json=body)
        if response.status_code >= 400:
            raise RuntimeError(f"seeding {path} failed: {response.status_code} {response.text}")
        return response.json()

    def run(self) -> None:
        w = self.world
        for org, name in ORGANISATIONS.items():
            if not w.has(org):
                continue
            self.put(f"/platform/organisations/{w.organisation(org)}",
                     {"name": name + w.name_suffix, "time_zone": "Europe/Amsterdam"})
            for key, nl, en, kind in CONSENT_KINDS:
                self.put(f"/admin/directory/consent-kinds/{key}",
                         {"organisation_id": w.organisation(org), "label_nl": nl, "label_en": en, "kind": kind})
        locations = [location for location in LOCATIONS if w.has(location[1])]
        for key, org, name, street, number, postal, city in locations:
            self.put(f"/admin/directory/locations/{w.id('loc:' + key)}",
                     {"organisation_id": w.organisation(org), "name": name, "street": street, "house_number": number,
                      "postal_code": postal, "city": city, "phone": "+31 30 000 0000"})
        location_org = {key: w.organisation(org) for key, org, *_ in locations}
        groups = [group for group in GROUPS if group[1] in location_org]
        for key, location, name, care_type in groups:
            self.put(f"/admin/directory/groups/{w.id('group:' + key)}",
                     {"organisation_id": location_org[location], "location_id": w.id("loc:" + location),
                      "name": name, "care_type": care_type})
        for key, org, name, email, group_keys, admin in self._staff():
            self.put(f"/admin/directory/staff/{w.id('staff:' + key)}",
                     {"organisation_id": w.organisation(org), "name": name, "email": w.email(email), "is_admin": admin,
                      "group_ids": [w.id("group:" + g) for g in group_keys],
                      "bio": TEAM_INTRODUCTIONS.get(key, f"{name} werkt met veel plezier bij {ORGANISATIONS[org]}.")})
        family_org = {}
        for key, org, name, parents in self._families():
            family_org[key] = w.organisation(org)
            self.put(f"/admin/directory/families/{w.id('family:' + key)}",
                     {"organisation_id": w.organisation(org), "name": name})
            for pkey, pname, email, language in parents:
                self.put(f"/admin/directory/parents/{w.id('parent:' + pkey)}",
                         {"organisation_id": w.organisation(org), "family_id": w.id("family:" + key), "name": pname,
                          "email": w.email(email), "language": language})
        for org in w.organisations.values():
            # Read models of services added or upgraded since this stack first ran catch up (no-op otherwise).
            republished = self.api.post("/api/v1/admin/directory/republish", json={"organisation_id": org})
            if republished.status_code != 202:
                raise RuntimeError(f"republishing the directory failed: {republished.text}")
            self._put_when_planning_knows(
                f"/admin/planning/organisations/{org}/settings",
                {"open_weekdays": [0, 1, 2, 3, 4], "cancel_window_hours": 24, "staff_may_evaluate": True})
            for key, care_type, name, starts, ends, price in DAY_PARTS:
                self._put_when_planning_knows(
                    f"/admin/planning/day-parts/{w.id(f'part:{org}:{key}')}",
                    {"organisation_id": org, "care_type": care_type, "name": name, "starts_at": starts,
                     "ends_at": ends, **price})
        for key, location, _, care_type in groups:
            org = location_org[location]
            for part_key, part_care_type, *_ in DAY_PARTS:
                if part_care_type == care_type:
                    part = w.id(f"part:{org}:{part_key}")
                    self._put_when_planning_knows(
                        f"/admin/planning/groups/{w.id('group:' + key)}/capacity/{part}", {"capacity": 12})
        children = [child for child in CHILDREN if child[1] in family_org]
        for key, family, first, last, born, mentor, group, care_type in children:
            org = family_org[family]
            self.put(f"/admin/directory/children/{w.id('child:' + key)}",
                     {"organisation_id": org, "family_id": w.id("family:" + family), "first_name": first,
                      "last_name": last, "birth_date": born.isoformat(), "mentor_staff_id": w.id("staff:" + mentor)})
            pattern = [{"weekday": day, "day_part_ids": [w.id(f"part:{org}:{p}") for p in parts]}
                       for day, parts in PATTERNS[key].items()]
            self.put(f"/admin/directory/placements/{w.id('placement:' + key)}",
                     {"organisation_id": org, "child_id": w.id("child:" + key),
                      "group_id": w.id("group:" + group), "care_type": care_type, "starts_on": "2026-01-05",
                      "weekly_pattern": pattern})
        child_org = {key: family_org[family] for key, family, *_ in children}
        for key, child, unit, amount, description in CREDITS:
            if child in child_org:
                self.put(f"/credits/{w.id('credit:' + key)}",
                         {"organisation_id": child_org[child], "child_id": w.id("child:" + child), "unit": unit,
                          "amount": amount, "valid_from": "2026-01-01", "valid_until": "2027-12-31",
                          "description": description})
        self.activate_logins()
        LocationSeeder(self.api, DEMO_PASSWORD, w.id, w.organisations,
                       {key: w.email(email) for key, _, _, email, _, _ in self._staff()}).run()
        from konnect_devstack.demo_timeline import TimelineSeeder  # photos and diary entries, as staff and parents

        TimelineSeeder(str(self.api.base_url).rstrip("/"), DEMO_PASSWORD, {
            **{f"group:{key}": w.id("group:" + key) for key, *_ in groups},
            **{f"child:{key}": w.id("child:" + key) for key, *_ in children}}, email=w.email).run()
        from konnect_devstack.demo_messages import seed_messages  # conversations need the demo logins

        seed_messages(str(self.api.base_url).rstrip("/"), w)

    def _staff(self) -> list[tuple[str, str, str, str, list[str], bool]]:
        return [person for person in STAFF if self.world.has(person[1])]

    def _families(self) -> list[tuple[str, str, str, list[tuple[str, str, str, str]]]]:
        return [family for family in FAMILIES if self.world.has(family[1])]

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
        w = self.world
        people = [(w.id("staff:" + key), w.email(email)) for key, _, _, email, _, _ in self._staff()]
        people += [(w.id("parent:" + key), w.email(email))
                   for _, _, _, parents in self._families() for key, _, email, _ in parents]
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
