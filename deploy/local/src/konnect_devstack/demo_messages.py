"""Demo conversations: a parent writing to her child's group (with a photo) and a staff message to a whole group,
with replies.

Sent through the public API as the demo people themselves; a conversation whose subject the writer already has
is left alone, and every reply carries a stable Idempotency-Key, so seeding twice sends nothing new.
"""

import time

import httpx

from konnect_devstack.demo import DEMO, DEMO_PASSWORD, DemoWorld
from konnect_devstack.demo_login import demo_token

# (key, writer e-mail, child key or None, group key or None, subject, text, replies [(key, e-mail, text)])
# The first one carries a photo (generated; its GPS position is stripped on upload like any other).
CONVERSATIONS = [
    ("sem-slaap", "anne.dejong@demo.konnect.nl", "sem", None, "Slaapje Sem",
     "Sem heeft vannacht slecht geslapen. Mag hij vanmiddag wat langer liggen?",
     [("sem-slaap-1", "sanne.bakker@demo.konnect.nl", "Natuurlijk! We laten hem uitslapen en sturen een berichtje."),
      ("sem-slaap-2", "mark.dejong@demo.konnect.nl", "Thanks Sanne!")]),
    ("noah-ophalen", "eva.jansen@demo.konnect.nl", "noah", None, "Ophalen donderdag",
     "Donderdag haalt opa Noah op, rond 17:00.",
     [("noah-ophalen-1", "mohamed.elamrani@demo.konnect.nl", "Genoteerd, tot donderdag!")]),
    ("dolfijnen-uitje", "sanne.bakker@demo.konnect.nl", None, "dolfijnen", "Uitje naar de kinderboerderij",
     "Vrijdag gaan we met de Dolfijnen naar de kinderboerderij. Graag laarzen meegeven!",
     [("dolfijnen-uitje-1", "anne.dejong@demo.konnect.nl", "Leuk! Sem neemt zijn gele laarzen mee.")]),
]


class MessageSeeder:
    def __init__(self, gateway: str, world: DemoWorld = DEMO, timeout: float = 60) -> None:
        self.gateway, self.world, self.timeout = gateway, world, timeout
        self.tokens: dict[str, str] = {}

    def _headers(self, email: str, key: str) -> dict[str, str]:
        if email not in self.tokens:
            self.tokens[email] = demo_token(self.gateway, self.world.email(email), DEMO_PASSWORD)
        return {"Authorization": f"Bearer {self.tokens[email]}", "Idempotency-Key": self.world.id("message:" + key)}

    def _post(self, path: str, email: str, key: str, body: dict) -> dict:
        """Messaging learns the directory from identity's events: a child or group it has not seen yet waits."""
        deadline = time.monotonic() + self.timeout
        while True:
            response = httpx.post(f"{self.gateway}/api/v1{path}", json=body, headers=self._headers(email, key),
                                  timeout=30)
            if response.status_code < 400:
                return response.json()
            if response.status_code != 404 or time.monotonic() > deadline:
                raise RuntimeError(f"seeding {path} failed: {response.status_code} {response.text}")
            time.sleep(0.5)

    def _existing(self, email: str, subject: str) -> list[str]:
        listed = httpx.get(f"{self.gateway}/api/v1/conversations", params={"limit": 200},
                           headers=self._headers(email, "list"), timeout=30)
        return [c["conversation_id"] for c in listed.json()["items"] if c["subject"] == subject]

    def _photo(self, email: str) -> str:
        from konnect_kit.media.samples import jpeg_with_gps

        headers = self._headers(email, "upload")
        started = httpx.post(f"{self.gateway}/api/v1/message-attachments", json={"file_name": "slaapje.jpg"},
                             headers=headers, timeout=30).json()
        form = started["upload"]
        httpx.post(form["url"], data=form["fields"], files={"file": ("slaapje.jpg", jpeg_with_gps(label="Sem"))},
                   timeout=30).raise_for_status()
        confirmed = httpx.post(f"{self.gateway}/api/v1/message-attachments/{started['attachment_id']}/confirm",
                               headers=headers, timeout=60)
        if confirmed.status_code != 200:
            raise RuntimeError(f"seeding a photo failed: {confirmed.status_code} {confirmed.text}")
        return started["attachment_id"]

    def run(self) -> None:
        for n, (key, writer, child, group, subject, text, replies) in enumerate(CONVERSATIONS):
            conversation_ids = self._existing(writer, subject) if child else []
            if child and not conversation_ids:
                photos = [self._photo(writer)] if n == 0 else []
                started = self._post("/conversations", writer, key, {
                    "child_id": self.world.id("child:" + child), "subject": subject, "text": text,
                    "attachment_ids": photos})
                conversation_ids = [started["conversation_id"]]
            elif not child:
                sent = self._post("/group-messages", writer, key,
                                  {"group_id": self.world.id("group:" + str(group)), "subject": subject, "text": text})
                conversation_ids = sent["conversation_ids"]
            for reply_key, email, reply in replies:
                for i, conversation_id in enumerate(conversation_ids):
                    # A group message: a parent answers in their own family's conversation only.
                    answered = self._try_reply(conversation_id, email, f"{reply_key}:{i}", reply)
                    if answered:
                        break

    def _try_reply(self, conversation_id: str, email: str, key: str, text: str) -> bool:
        response = httpx.post(f"{self.gateway}/api/v1/conversations/{conversation_id}/messages", json={"text": text},
                              headers=self._headers(email, key), timeout=30)
        if response.status_code == 404:
            return False
        if response.status_code >= 400:
            raise RuntimeError(f"seeding a reply failed: {response.status_code} {response.text}")
        return True


def seed_messages(gateway: str, world: DemoWorld = DEMO) -> None:
    MessageSeeder(gateway, world).run()
