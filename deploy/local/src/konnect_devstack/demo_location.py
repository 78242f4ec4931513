"""Demo content of My location, seeded through the public API as the organisation's people would post it: news
with a PDF, a newsletter, info pages and an observation (with a PDF), all generated here (no external files).

Idempotent like the rest of the seed: items are found by title, the template has a stable id, and the
observation is made once per child and template.
"""

import time
from typing import Any

import httpx

from konnect_devstack.demo_login import demo_token

TEAM_INTRODUCTIONS = {
    "sanne": "Ik ben Sanne, sinds 2019 pedagogisch medewerker bij de Dolfijnen en Zeesterren. Ik hou van buiten "
             "spelen en voorlezen.",
    "mohamed": "Hoi! Ik ben Mohamed, mentor bij de Egeltjes en de Vlinders. Na school bouwen we hutten en doen we "
               "spelletjes in de tuin.",
    "joost": "Ik ben Joost, locatiemanager van Het Speelhuis. Met vragen kun je altijd bij mij terecht.",
}

# (organisation key, author login key, kind, title, audience, audience key, body, pdf text or None)
ITEMS = [
    ("regenboog", "petra", "news", "Zomerfeest op vrijdag 3 juli", "organisation", None,
     "<p>Op <strong>vrijdag 3 juli</strong> vieren we het zomerfeest op alle locaties. Het programma staat in de "
     "bijlage.</p>", "Programma zomerfeest: 15:00 springkussen, 16:00 ijsjes, 17:00 optreden"),
    ("regenboog", "petra", "newsletter", "Nieuwsbrief juni", "location", "centrum",
     "<h2>Nieuws uit Centrum</h2><ul><li>Nieuwe zandbak in de tuin</li><li>Studiedag op 12 juni</li></ul>",
     "Nieuwsbrief juni - Regenboog Centrum"),
    ("regenboog", "sanne", "news", "Uitje naar de kinderboerderij", "group", "dolfijnen",
     "<p>Dinsdag gaan de Dolfijnen naar de kinderboerderij. Graag laarsjes meegeven!</p>", None),
    ("regenboog", "petra", "info_page", "Openingstijden en ophalen", "organisation", None,
     "<h2>Openingstijden</h2><p>Maandag tot en met vrijdag van 07:30 tot 18:30.</p>"
     "<h3>Ophalen</h3><p>Laat het ons weten als iemand anders je kind ophaalt.</p>", None),
    ("speelhuis", "joost", "info_page", "Welkom bij Het Speelhuis", "organisation", None,
     "<p>Na school halen we de kinderen op bij de deur van het klaslokaal.</p>", None),
]
TEMPLATE_QUESTIONS = [("play", "Hoe speelt het kind?"), ("social", "Hoe gaat het kind met andere kinderen om?"),
                      ("language", "Hoe ontwikkelt de taal zich?")]
OBSERVATION = ("sem", "sanne", {"play": "Sem bouwt graag hoge torens en kijkt dan trots rond.",
                                "social": "Speelt veel samen met Yusuf; deelt zijn blokken.",
                                "language": "Zegt zinnetjes van drie, vier woorden."})


class LocationSeeder:
    """Uses the Seeder's operator client for reads and logs in as the demo staff for what they post."""

    def __init__(self, api: httpx.Client, password: str, demo_id: Any, organisations: dict[str, str],
                 logins: dict[str, str]) -> None:
        self.api, self.password, self.demo_id = api, password, demo_id
        self.organisations, self.logins = organisations, logins  # key → id; login key → e-mail
        self._tokens: dict[str, dict[str, str]] = {}

    def as_(self, login: str, organisation: str) -> dict[str, str]:
        if login not in self._tokens:
            token = demo_token(str(self.api.base_url), self.logins[login], self.password, organisation)
            self._tokens[login] = {"Authorization": f"Bearer {token}"}
        return self._tokens[login]

    def _retry(self, send: Any, what: str, timeout: float = 60) -> httpx.Response:
        """Timeline learns locations, groups, children and staff from identity's events: a 404 (unknown yet) or a
        staff member's 403 (their groups unknown yet) a moment after they were created is retried."""
        deadline = time.monotonic() + timeout
        while True:
            response = send()
            if response.status_code < 400:
                return response
            if response.status_code not in (403, 404) or time.monotonic() > deadline:
                raise RuntimeError(f"seeding {what} failed: {response.status_code} {response.text}")
            time.sleep(0.3)

    def _attach_pdf(self, headers: dict[str, str], item_id: str, text: str) -> None:
        from konnect_kit.media.sample_documents import pdf

        started = self.api.post(f"/api/v1/admin/location/items/{item_id}/attachments", headers=headers,
                                json={"file_name": "bijlage.pdf"})
        if started.status_code != 201:
            raise RuntimeError(f"seeding an attachment failed: {started.text}")
        form = started.json()
        httpx.post(form["url"], data=form["fields"], files={"file": ("bijlage.pdf", pdf(text))}, timeout=30)
        confirmed = self.api.post(f"/api/v1/admin/location/items/{item_id}/attachments/"
                                  f"{form['attachment_id']}/confirm", headers=headers)
        if confirmed.status_code != 200:
            raise RuntimeError(f"confirming an attachment failed: {confirmed.text}")

    def run(self) -> None:
        for org_key, login, kind, title, audience, audience_key, body, pdf_text in ITEMS:
            if org_key not in self.organisations:  # a twin of some of the demo's organisations
                continue
            org = self.organisations[org_key]
            existing = self.api.get("/api/v1/admin/location/items", params={"organisation_id": org}).json()
            if any(i["title"] == title for i in existing.get("items", [])):
                continue
            audience_id = org if audience_key is None else self.demo_id(
                ("loc:" if audience == "location" else "group:") + audience_key)
            headers = self.as_(login, org)
            item = self._retry(lambda h=headers, o=org, k=kind, t=title, b=body, a=audience, i=audience_id:
                               self.api.post("/api/v1/admin/location/items", headers=h, json={
                                   "organisation_id": o, "kind": k, "title": t, "body": b, "audience": a,
                                   "audience_id": i}), f"news item {title!r}").json()
            if pdf_text:
                self._attach_pdf(headers, item["item_id"], pdf_text)
        self._observation()

    def _observation(self) -> None:
        org = self.organisations["regenboog"]
        template = self.demo_id("observation-template:welbevinden")
        self.api.put(f"/api/v1/admin/observation-templates/{template}", json={
            "organisation_id": org, "title": "Welbevinden en ontwikkeling",
            "questions": [{"question_id": q, "text": text} for q, text in TEMPLATE_QUESTIONS]}).raise_for_status()
        child_key, login, answers = OBSERVATION
        child = self.demo_id("child:" + child_key)
        headers = self.as_(login, org)
        known = self._retry(lambda: self.api.get(f"/api/v1/children/{child}/observations"), "observations").json()
        if any(o["template_id"] == template for o in known["items"]):
            return
        shared = self._retry(lambda: self.api.post(f"/api/v1/children/{child}/observations", headers=headers, json={
            "template_id": template, "answers": answers}), "an observation").json()
        from konnect_kit.media.sample_documents import pdf

        started = self.api.post(f"/api/v1/observations/{shared['observation_id']}/attachment", headers=headers,
                                json={"file_name": "observatie-sem.pdf"}).json()
        httpx.post(started["url"], data=started["fields"], timeout=30,
                   files={"file": ("observatie-sem.pdf", pdf("Observatie Sem - welbevinden en ontwikkeling"))})
        self.api.post(f"/api/v1/observations/{shared['observation_id']}/attachment/confirm",
                      headers=headers).raise_for_status()
