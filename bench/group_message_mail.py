"""Benchmark: one staff message to a group of 30 families, until every parent's e-mail reached the SMTP server.

Path measured: POST /api/v1/group-messages (30 conversations, 30 MessageSent in one transaction) -> outbox relay
-> Kafka -> notifications (per-recipient settings) -> SMTP (mailpit). Printed, not asserted: time until the
first, the median and the last family's mail arrived. Target (issue 12): all 30 within 2 s.

Runs on the bench profile from empty databases (like read_paths): never on the shared dev ports.

    .venv/bin/python bench/group_message_mail.py [--families 30] [--timeout 30]
"""

import argparse
import re
import statistics
import time
import uuid
from datetime import UTC, date, datetime

import httpx
from gateway_me import fresh_demo_stack
from konnect_devstack.infra import LocalInfra
from konnect_devstack.profiles import bench_profile

OPERATOR = {"Authorization": "Bearer dev-platform-operator-token"}
PASSWORD = "a good long password"


def new_id() -> str:
    return str(uuid.uuid4())


class GroupOf:
    """An organisation with one group, one staff member and `families` one-parent families, all logged in once."""

    def __init__(self, gateway: str, mailpit: str, families: int) -> None:
        self.api = httpx.Client(base_url=gateway, timeout=30)
        self.mailpit = mailpit
        self.org, self.location, self.group, self.staff = new_id(), new_id(), new_id(), new_id()
        self.domain = f"bench-{uuid.uuid4().hex[:8]}.example.com"
        self.staff_email = f"juf@{self.domain}"
        self.parents = {new_id(): f"ouder{n}@{self.domain}" for n in range(families)}
        self.children: list[str] = []

    def put(self, path: str, body: dict) -> None:
        response = self.api.put(f"/api/v1{path}", json=body, headers=OPERATOR)
        assert response.status_code == 200, (path, response.status_code, response.text)

    def build(self) -> str:
        """Returns the staff member's access token."""
        self.put(f"/platform/organisations/{self.org}", {"name": "Bench groep"})
        self.put(f"/admin/directory/locations/{self.location}", {"organisation_id": self.org, "name": "Bench"})
        self.put(f"/admin/directory/groups/{self.group}", {"organisation_id": self.org, "location_id": self.location,
                                                          "name": "Walvissen", "care_type": "day_care"})
        self.put(f"/admin/directory/staff/{self.staff}", {"organisation_id": self.org, "name": "Juf Bench",
                                                         "email": self.staff_email, "group_ids": [self.group]})
        for n, (parent, email) in enumerate(self.parents.items()):
            family, child = new_id(), new_id()
            self.put(f"/admin/directory/families/{family}", {"organisation_id": self.org, "name": f"Gezin {n}"})
            self.put(f"/admin/directory/parents/{parent}", {"organisation_id": self.org, "family_id": family,
                                                           "name": f"Ouder {n}", "email": email})
            self.put(f"/admin/directory/children/{child}", {
                "organisation_id": self.org, "family_id": family, "first_name": f"Kind{n}", "last_name": "Bench",
                "birth_date": "2023-01-01"})
            self.put(f"/admin/directory/placements/{new_id()}", {
                "organisation_id": self.org, "child_id": child, "group_id": self.group, "care_type": "day_care",
                "starts_on": date.today().isoformat()})
            self.children.append(child)
        for email in self.parents.values():
            self.accept_invitation(email)
        return self.accept_invitation(self.staff_email)

    def accept_invitation(self, email: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = httpx.get(f"{self.mailpit}/api/v1/search", params={"query": f"to:{email}"}, timeout=10).json()
            for message in found.get("messages", []):
                text = httpx.get(f"{self.mailpit}/api/v1/message/{message['ID']}", timeout=10).json()["Text"]
                token = re.search(r"invitation\?token=([A-Za-z0-9_\-]+)", text)
                if token:
                    return self._accept(token.group(1))
            time.sleep(0.2)
        raise RuntimeError(f"no invitation for {email}")

    def _accept(self, token: str) -> str:
        while True:  # invitations are rate-limited per client address: 31 in a row wait for the window
            r = self.api.post("/api/v1/auth/invitation/accept", json={"token": token, "password": PASSWORD},
                              headers={"X-Forwarded-For": f"198.51.100.{uuid.uuid4().int % 250 + 1}"})
            if r.status_code != 429:
                assert r.status_code == 200, r.text
                return r.json()["access_token"]
            time.sleep(2)

    def messaging_knows_everyone(self, staff: dict[str, str], timeout: float = 60) -> None:
        """Directory events of one organisation arrive in order: once messaging knows the last child's placement
        (a conversation about that child can start), it knows every family of the group."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.api.post("/api/v1/conversations", headers={**staff, "Idempotency-Key": "bench-probe"},
                              json={"child_id": self.children[-1], "subject": "Probe", "text": "probe"})
            if r.status_code == 201:
                return
            time.sleep(0.3)
        raise RuntimeError("messaging did not learn the group's families in time")

    def arrivals(self, since: datetime) -> dict[str, datetime]:
        """First mail per parent address created after `since` (newest mails of the SMTP server)."""
        listed = httpx.get(f"{self.mailpit}/api/v1/messages", params={"limit": 500}, timeout=10).json()
        first: dict[str, datetime] = {}
        wanted = set(self.parents.values())
        for message in listed.get("messages", []):
            created = datetime.fromisoformat(message["Created"].replace("Z", "+00:00"))
            if created < since:
                continue
            for to in message.get("To") or []:
                address = to.get("Address", "").lower()
                if address in wanted and (address not in first or created < first[address]):
                    first[address] = created
        return first


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=30)
    args = parser.parse_args()
    stack, gateway, _ = fresh_demo_stack()
    mailpit = LocalInfra(bench_profile()).endpoints.mailpit_api
    try:
        world = GroupOf(gateway, mailpit, args.families)
        staff = {"Authorization": f"Bearer {world.build()}"}
        world.messaging_knows_everyone(staff)
        time.sleep(1)  # the probe's own notification is out of the way
        sent_at = datetime.now(UTC)
        started = time.perf_counter()
        r = world.api.post("/api/v1/group-messages", headers={**staff, "Idempotency-Key": new_id()}, json={
            "group_id": world.group, "subject": "Bench: uitje", "text": "Morgen gaan we naar het bos."})
        answered = time.perf_counter() - started
        assert r.status_code == 201 and len(r.json()["conversation_ids"]) == args.families, r.text
        arrived: dict[str, datetime] = {}
        while len(arrived) < args.families and time.perf_counter() - started < args.timeout:
            arrived = world.arrivals(sent_at)
            time.sleep(0.05)
    finally:
        stack.down()
    delays = sorted((at - sent_at).total_seconds() for at in arrived.values())
    print(f"group_message_mail: {args.families} families, POST answered in {answered * 1000:.0f} ms")
    if not delays:
        print(f"  no mail reached SMTP within {args.timeout:.0f} s (are MessageSent e-mails on in notifications?)")
        return
    print(f"  mails at SMTP: {len(delays)}/{args.families}; first {delays[0]:.2f} s, median "
          f"{statistics.median(delays):.2f} s, last {delays[-1]:.2f} s (mailpit's clock, 1 ms resolution)")
    met = len(delays) == args.families and delays[-1] <= 2.0
    print(f"  target: all {args.families} within 2 s: {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
