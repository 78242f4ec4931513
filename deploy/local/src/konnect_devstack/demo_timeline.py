"""Demo timeline: a few photo series and diary entries, posted through the public API as staff and a parent would
(small generated images, no external files); skipped when the demo timeline already has them."""

import time
from collections.abc import Callable

import httpx

from konnect_devstack.demo_login import demo_token

SERIES = [  # (staff e-mail, group key, caption, children per photo)
    ("sanne.bakker@demo.konnect.nl", "dolfijnen", "Buiten spelen in de zandbak", [["sem"], ["sem"], ["sem"]]),
    ("sanne.bakker@demo.konnect.nl", "zeesterren", "Verven met vingerverf", [["yusuf"], ["yusuf"]]),
    ("mohamed.elamrani@demo.konnect.nl", "egeltjes", "Naar de kinderboerderij", [["noah"], ["noah"]]),
    ("mohamed.elamrani@demo.konnect.nl", "vlinders", "Hutten bouwen", [["lotte"]]),
]
DIARY = [  # (author e-mail, child key, text, with a photo)
    ("sanne.bakker@demo.konnect.nl", "sem", "Sem heeft goed gegeten en lekker een uur geslapen. Vanmiddag veel "
     "gelachen bij het voorlezen.", False),
    ("mohamed.elamrani@demo.konnect.nl", "noah", "Noah heeft vandaag de geitjes gevoerd en was erg dapper.", False),
    ("anne.dejong@demo.konnect.nl", "lotte", "Lotte heeft vannacht slecht geslapen, misschien is ze wat moe.", True),
]


class TimelineSeeder:
    def __init__(self, gateway: str, password: str, ids: dict[str, str],
                 email: Callable[[str], str] = lambda address: address) -> None:
        """`ids`: demo key (`group:dolfijnen`, `child:sem`) -> id; `email`: a demo address -> the seeded world's."""
        self.gateway, self.password, self.ids, self.email = gateway, password, ids, email
        self.tokens: dict[str, dict[str, str]] = {}

    def headers(self, email: str) -> dict[str, str]:
        if email not in self.tokens:
            token = demo_token(self.gateway, self.email(email), self.password)
            self.tokens[email] = {"Authorization": f"Bearer {token}"}
        return self.tokens[email]

    def upload(self, email: str, label: str) -> str:
        from konnect_kit.media import samples

        r = httpx.post(f"{self.gateway}/api/v1/timeline/uploads", headers=self.headers(email), timeout=30)
        r.raise_for_status()
        form = r.json()
        sent = httpx.post(form["url"], data=form["fields"],
                          files={"file": ("IMG.JPG", samples.jpeg_with_gps(1280, 960, label=label))}, timeout=60)
        sent.raise_for_status()
        done = httpx.post(f"{self.gateway}/api/v1/timeline/uploads/{form['upload_id']}/confirm",
                          headers=self.headers(email), timeout=120)
        done.raise_for_status()
        return form["upload_id"]

    def already_seeded(self) -> bool:
        r = httpx.get(f"{self.gateway}/api/v1/timeline/children/{self.ids['child:sem']}/timeline",
                      headers=self.headers(SERIES[0][0]), timeout=30)
        return r.status_code == 200 and bool(r.json()["items"])

    def post_series(self, email: str, group: str, caption: str, photos: list[list[str]], timeout: float = 90) -> None:
        uploads = [self.upload(email, f"{caption} {i + 1}") for i in range(len(photos))]
        body = {"group_id": self.ids[f"group:{group}"], "caption": caption, "photos": [
            {"upload_id": u, "child_ids": [self.ids[f"child:{c}"] for c in children]}
            for u, children in zip(uploads, photos, strict=True)]}
        deadline = time.monotonic() + timeout
        while True:  # timeline learns staff, groups and placements from identity's events
            r = httpx.post(f"{self.gateway}/api/v1/timeline/series", headers=self.headers(email), json=body,
                           timeout=30)
            if r.status_code == 201:
                return
            if r.status_code not in (403, 404, 422) or time.monotonic() > deadline:
                raise RuntimeError(f"seeding photo series {caption!r} failed: {r.status_code} {r.text}")
            time.sleep(0.5)

    def run(self) -> None:
        if self.already_seeded():
            return
        for email, group, caption, photos in SERIES:
            self.post_series(email, group, caption, photos)
        for email, child, text, with_photo in DIARY:
            uploads = [self.upload(email, text[:20])] if with_photo else []
            r = httpx.post(f"{self.gateway}/api/v1/timeline/children/{self.ids['child:' + child]}/diary",
                           headers=self.headers(email), json={"text": text, "upload_ids": uploads}, timeout=30)
            if r.status_code != 201:
                raise RuntimeError(f"seeding a diary entry failed: {r.status_code} {r.text}")
