"""Photos, videos and the diary through the gateway, with real S3, Kafka and PostgreSQL: who sees what under the
photo-consent rule (enumerated per family), signed URLs that work and expire, originals without GPS, refusals."""

from datetime import UTC, datetime, timedelta

import httpx
from e2e_world import OPERATOR, address, bearer, logged_in, new_id, put
from konnect_devstack.pytest_plugin import eventually, internal_headers
from konnect_devstack.stack import DOMAIN_SERVICES
from konnect_kit.media import samples
from timeline_e2e_world import post_when_timeline_knows, upload

FAMILIES = {  # family: (parents, children, consent for sharing photos)
    "dejong": (("anne", "mark"), ("sem", "lotte"), False),  # siblings, no consent
    "jansen": (("eva", "thomas"), ("noah",), True),  # separated parents, each their own login
    "yilmaz": (("fatima",), ("yusuf",), True),
    "bakker": (("ilse",), ("mila",), False),
}


async def world(gateway: httpx.AsyncClient, mailpit) -> dict:
    w: dict = {"org": new_id(), "location": new_id(), "group": new_id(), "other_group": new_id(), "ids": {},
               "tokens": {}}
    org = w["org"]
    await put(gateway, f"/platform/organisations/{org}", {"name": "Kinderopvang Foto"})
    await put(gateway, f"/admin/directory/locations/{w['location']}", {"organisation_id": org, "name": "Centrum"})
    for group, name in ((w["group"], "Dolfijnen"), (w["other_group"], "Egeltjes")):
        await put(gateway, f"/admin/directory/groups/{group}", {"organisation_id": org, "location_id": w["location"],
                                                               "name": name, "care_type": "day_care"})
    await put(gateway, "/admin/directory/consent-kinds/photo_sharing",
              {"organisation_id": org, "label_nl": "Foto's delen", "label_en": "Share photos"})
    for family, (parents, children, _) in FAMILIES.items():
        w["ids"][family] = new_id()
        await put(gateway, f"/admin/directory/families/{w['ids'][family]}", {"organisation_id": org, "name": family})
        for parent in parents:
            w["ids"][parent] = (new_id(), address(parent))
            await put(gateway, f"/admin/directory/parents/{w['ids'][parent][0]}", {
                "organisation_id": org, "family_id": w["ids"][family], "name": parent.title(),
                "email": w["ids"][parent][1]})
        for child in children:
            w["ids"][child] = new_id()
            await put(gateway, f"/admin/directory/children/{w['ids'][child]}", {
                "organisation_id": org, "family_id": w["ids"][family], "first_name": child.title(),
                "last_name": family, "birth_date": "2022-04-01"})
            await put(gateway, f"/admin/directory/placements/{new_id()}", {
                "organisation_id": org, "child_id": w["ids"][child], "group_id": w["group"],
                "care_type": "day_care", "starts_on": "2026-01-05"})
    w["ids"]["finn"] = new_id()  # Egeltjes: not in the group the photos are of
    await put(gateway, f"/admin/directory/children/{w['ids']['finn']}", {
        "organisation_id": org, "family_id": w["ids"]["bakker"], "first_name": "Finn", "last_name": "bakker",
        "birth_date": "2022-04-01"})
    await put(gateway, f"/admin/directory/placements/{new_id()}", {
        "organisation_id": org, "child_id": w["ids"]["finn"], "group_id": w["other_group"], "care_type": "day_care",
        "starts_on": "2026-01-05"})
    for parents, children, consent in FAMILIES.values():
        for parent in parents:
            w["tokens"][parent] = bearer(await logged_in(gateway, mailpit, w["ids"][parent][1]))
        for child in children:
            r = await gateway.put(f"/api/v1/children/{w['ids'][child]}/consents/photo_sharing",
                                  headers=w["tokens"][parents[0]], json={"granted": consent})
            assert r.status_code == 200, r.text
    # Staff last: once timeline knows her, it has applied every directory event and consent before (one partition
    # per organisation keeps their order).
    w["ids"]["sanne"] = (new_id(), address("sanne"))
    await put(gateway, f"/admin/directory/staff/{w['ids']['sanne'][0]}", {
        "organisation_id": org, "name": "Sanne", "email": w["ids"]["sanne"][1], "group_ids": [w["group"]]})
    w["tokens"]["sanne"] = bearer(await logged_in(gateway, mailpit, w["ids"]["sanne"][1]))
    w["ids"]["petra"] = (new_id(), address("petra"))
    await put(gateway, f"/admin/directory/staff/{w['ids']['petra'][0]}", {
        "organisation_id": org, "name": "Petra", "email": w["ids"]["petra"][1], "is_admin": True})
    w["tokens"]["petra"] = bearer(await logged_in(gateway, mailpit, w["ids"]["petra"][1]))
    return w


async def photos_seen(gateway: httpx.AsyncClient, headers: dict) -> set[str]:
    r = await gateway.get("/api/v1/timeline/feed", headers=headers)
    assert r.status_code == 200, r.text
    return {p["photo_id"] for item in r.json()["items"] if item["type"] == "photos" for p in item["series"]["photos"]}


async def test_a_series_reaches_each_family_exactly_as_the_consent_rule_says(gateway, mailpit, stack):
    w = await world(gateway, mailpit)
    ids, sanne = w["ids"], w["tokens"]["sanne"]
    files = [samples.jpeg_with_gps(1200, 900), samples.heic_with_gps(), samples.jpeg_with_gps(900, 600, orientation=6),
             samples.png()]
    posted = await post_when_timeline_knows(gateway, sanne, w["group"], [
        [ids["sem"], ids["lotte"]], [ids["sem"], ids["noah"]], [ids["noah"], ids["yusuf"]], [ids["mila"], ids["sem"]]],
        files=files)
    siblings, sem_noah, noah_yusuf, mila_sem = (p["photo_id"] for p in posted["photos"])
    assert any("Sem" in notice for notice in posted["notices"]) and any("Mila" in n for n in posted["notices"])
    expected = {"anne": {siblings, sem_noah}, "mark": {siblings, sem_noah}, "eva": {noah_yusuf},
                "thomas": {noah_yusuf}, "fatima": {noah_yusuf}, "ilse": set()}
    for parent, photos in expected.items():
        assert await photos_seen(gateway, w["tokens"][parent]) == photos, parent
        for photo in {siblings, sem_noah, noah_yusuf, mila_sem} - photos:
            r = await gateway.get(f"/api/v1/timeline/photos/{photo}", headers=w["tokens"][parent])
            assert r.status_code == 404, (parent, r.text)

    # Full size: the URL works, shows no GPS, signs one object only, and expires.
    photo = (await gateway.get(f"/api/v1/timeline/photos/{sem_noah}", headers=w["tokens"]["mark"])).json()
    async with httpx.AsyncClient(timeout=30) as s3:
        full = await s3.get(photo["display_url"])
        assert full.status_code == 200 and not samples.has_gps(full.content)
        assert (await s3.get(photo["display_url"].replace("display.jpg", "thumbnail.jpg"))).status_code == 403
        refused = await gateway.get(f"/api/v1/timeline/photos/{sem_noah}/download", headers=w["tokens"]["anne"])
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "downloads_off"
        r = await gateway.put(f"/api/v1/admin/organisations/{w['org']}/media-settings", headers=w["tokens"]["petra"],
                              json={"downloads_allowed": True, "videos_enabled": False})
        assert r.status_code == 200, r.text
        for photo_id, parent in ((sem_noah, "anne"), (noah_yusuf, "fatima")):  # a JPEG and the HEIC
            download = await gateway.get(f"/api/v1/timeline/photos/{photo_id}/download", headers=w["tokens"][parent])
            assert download.status_code == 200, download.text
            original = await s3.get(download.json()["url"])
            assert original.status_code == 200 and not samples.has_gps(original.content)
            assert b"iPhone" not in original.content
        timeline = next(s for s in DOMAIN_SERVICES if s.name == "timeline")
        clock = f"{stack.url(timeline)}/testing/clock"
        async with httpx.AsyncClient(headers=internal_headers()) as service:
            await service.put(clock, json={"now": (datetime.now(UTC) - timedelta(minutes=6)).isoformat()})
            try:
                old = (await gateway.get(f"/api/v1/timeline/photos/{sem_noah}", headers=w["tokens"]["mark"])).json()
            finally:
                await service.delete(clock)
        assert (await s3.get(old["display_url"])).status_code == 403  # signed six minutes ago: expired

    # Consent given later shows the photo with Sem to Noah's family; withdrawn, it is hidden again at once.
    async def eva_sees(wanted: set[str]) -> bool:
        return await photos_seen(gateway, w["tokens"]["eva"]) == wanted
    for granted, wanted in ((True, {sem_noah, noah_yusuf}), (False, {noah_yusuf})):
        r = await gateway.put(f"/api/v1/children/{ids['sem']}/consents/photo_sharing", headers=w["tokens"]["anne"],
                              json={"granted": granted})
        assert r.status_code == 200, r.text
        await eventually(lambda wanted=wanted: eva_sees(wanted), timeout=20)


async def test_a_parent_diary_entry_with_a_photo_and_every_bad_input(gateway, mailpit):
    w = await world(gateway, mailpit)
    ids, anne, sanne = w["ids"], w["tokens"]["anne"], w["tokens"]["sanne"]
    await post_when_timeline_knows(gateway, sanne, w["group"], [[ids["sem"]]])
    photo = await upload(gateway, anne, samples.jpeg_with_gps(800, 600))
    assert photo.status_code == 200, photo.text
    entry = await gateway.post(f"/api/v1/timeline/children/{ids['sem']}/diary", headers=anne, json={
        "text": "Sem heeft vannacht slecht geslapen.", "upload_ids": [photo.json()["upload_id"]]})
    assert entry.status_code == 201, entry.text
    feed = (await gateway.get("/api/v1/timeline/feed", headers=w["tokens"]["mark"])).json()
    first = feed["items"][0]
    assert first["id"] == entry.json()["entry_id"] and first["diary_entry"]["media"][0]["thumbnail_url"]
    full = await gateway.get(f"/api/v1/timeline/diary/{entry.json()['entry_id']}", headers=sanne)
    assert full.status_code == 200 and full.json()["text"].startswith("Sem heeft")

    # Bad input: each a 4xx with a clear code, nothing stored or visible.
    async def feed_ids() -> list[str]:
        return [item["id"] for item in (await gateway.get("/api/v1/timeline/feed", headers=anne)).json()["items"]]
    before = await feed_ids()
    for data, code in ((b"MZ\x90\x00 not a photo at all", "bad_type"),
                       (samples.pixel_bomb(), "image_too_large"), (samples.video_with_gps(2), "videos_off")):
        refused = await upload(gateway, sanne, data)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == code, refused.text
        r = await gateway.post("/api/v1/timeline/series", headers=sanne, json={
            "group_id": w["group"], "child_ids": [ids["sem"]], "photos": [{"upload_id": refused.upload_id}]})
        assert r.status_code == 409, r.text
    # Damage shows only when decoding: accepted at confirm, then failed by the processing step, never postable.
    damaged = await upload(gateway, sanne, samples.truncated_jpeg())
    state = (await gateway.get(f"/api/v1/timeline/uploads/{damaged.upload_id}", headers=sanne)).json()
    assert state["status"] == "failed" and state["failure"]["code"] == "corrupt", state
    r = await gateway.post("/api/v1/timeline/series", headers=sanne, json={
        "group_id": w["group"], "child_ids": [ids["sem"]], "photos": [{"upload_id": damaged.upload_id}]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "upload_failed", r.text
    started = (await gateway.post("/api/v1/timeline/uploads", headers=sanne)).json()
    async with httpx.AsyncClient(timeout=60) as s3:
        too_big = await s3.post(started["url"], data=started["fields"],
                                files={"file": ("big.jpg", b"\xff\xd8\xff" + b"\0" * (25 * 1024 * 1024 + 1))})
    assert too_big.status_code == 400  # S3 enforces the size in the presigned policy
    assert (await gateway.post(f"/api/v1/timeline/uploads/{started['upload_id']}/confirm",
                               headers=sanne)).json()["error"]["code"] == "not_uploaded"
    good = await upload(gateway, sanne, samples.jpeg_with_gps(300, 200))
    for child_ids, status in (([ids["finn"]], 422), ([new_id()], 422)):  # another group; no such child here
        r = await gateway.post("/api/v1/timeline/series", headers=sanne, json={
            "group_id": w["group"], "child_ids": child_ids, "photos": [{"upload_id": good.upload_id}]})
        assert r.status_code == status and r.json()["error"]["code"] == "child_not_in_group", r.text
    for child, text, status in ((ids["noah"], "Over een ander kind", 404), (ids["sem"], "   ", 422),
                                (ids["sem"], "x" * 5001, 422), (ids["sem"], "", 422)):
        r = await gateway.post(f"/api/v1/timeline/children/{child}/diary", headers=anne, json={"text": text})
        assert r.status_code == status, (text[:10], r.text)
    assert await feed_ids() == before
    foreign = await gateway.get(f"/api/v1/timeline/diary/{entry.json()['entry_id']}", headers=w["tokens"]["eva"])
    assert foreign.status_code == 404
    assert (await gateway.get("/api/v1/timeline/feed", headers=OPERATOR)).status_code == 403
