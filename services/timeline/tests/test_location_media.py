"""Attachments through real S3 (presigned upload, checked confirm, signed download after the access check) and the
retention worker on an injected clock."""

import json
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from konnect_devstack.pytest_plugin import fetch_rows
from konnect_kit.media import ORIGINAL, object_key, samples
from konnect_kit.media.sample_documents import pdf
from location_world import NOW, World, build, publish, timeline, titles
from sqlalchemy import Column, DateTime, MetaData, Table, Text, Uuid
from timeline.service_layer.retention import RetainedMedia

__all__ = ["timeline"]  # the fixture

# A stand-in for the photo tables: the worker deletes what any RetainedMedia names, objects first.
photos = Table("retention_test_photos", MetaData(), Column("photo_id", Uuid, primary_key=True),
               Column("organisation_id", Uuid), Column("posted_at", DateTime(timezone=True)),
               Column("media_base", Text))
PHOTOS = RetainedMedia(photos, photos.c.photo_id, photos.c.organisation_id, photos.c.posted_at, photos.c.media_base)


async def upload(client: Any, w: World, item_id: str, name: str, data: bytes) -> dict:
    started = await client.post(f"/admin/location/items/{item_id}/attachments", headers=w.admin,
                                json={"file_name": name})
    assert started.status_code == 201, started.text
    form = started.json()
    async with httpx.AsyncClient() as s3:
        sent = await s3.post(form["url"], data=form["fields"], files={"file": (name, data)})
        assert sent.status_code in (200, 201, 204), sent.text
    return form


async def test_a_pdf_attachment_is_downloaded_through_a_signed_url_by_the_families_addressed_only(timeline):
    w = await build(timeline)
    news = await publish(timeline, w, "news", "Zomerfeest", "location", w["centrum"])
    form = await upload(timeline, w, news["item_id"], "programma.pdf", pdf("Programma zomerfeest"))
    # Not confirmed yet: families see no attachment.
    listed = (await timeline.get("/location/news", headers=w.parent("eva"))).json()["items"]
    assert listed[0]["attachments"] == []
    confirmed = await timeline.post(f"/admin/location/items/{news['item_id']}/attachments/"
                                    f"{form['attachment_id']}/confirm", headers=w.admin)
    assert confirmed.status_code == 200, confirmed.text
    [attachment] = confirmed.json()["attachments"]
    assert (attachment["file_name"], attachment["content_type"], attachment["is_pdf"]) == (
        "programma.pdf", "application/pdf", True)
    listed = (await timeline.get("/location/news", headers=w.parent("eva"))).json()["items"]
    assert [a["attachment_id"] for a in listed[0]["attachments"]] == [form["attachment_id"]]

    path = f"/location/items/{news['item_id']}/attachments/{form['attachment_id']}"
    download = await timeline.get(path, headers=w.parent("eva"))
    assert download.status_code == 200, download.text
    async with httpx.AsyncClient() as s3:
        fetched = await s3.get(download.json()["url"])
        assert fetched.status_code == 200 and fetched.content == pdf("Programma zomerfeest")
        assert "programma.pdf" in fetched.headers["content-disposition"]
        # The signature covers the key: the same URL for another object is refused.
        other = download.json()["url"].replace(form["fields"]["key"].rsplit("/", 1)[0], f"{w.org}/location/x")
        assert (await s3.get(other)).status_code == 403
    other_org = await build(timeline)
    for headers in (w.parent("ilse"), other_org.parent("eva"), other_org.admin):
        assert (await timeline.get(path, headers=headers)).status_code == 404
    # Withdrawn: its attachment is no longer handed out either.
    await timeline.post(f"/admin/location/items/{news['item_id']}/withdraw", headers=w.admin)
    assert (await timeline.get(path, headers=w.parent("eva"))).status_code == 404


async def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_kept(timeline):
    w = await build(timeline)
    news = await publish(timeline, w, "news", "Nieuws", "organisation", w.org)
    form = await upload(timeline, w, news["item_id"], "brief.pdf", b"MZ\x90\x00 an executable, not a PDF")
    confirmed = await timeline.post(f"/admin/location/items/{news['item_id']}/attachments/"
                                    f"{form['attachment_id']}/confirm", headers=w.admin)
    assert confirmed.status_code == 422 and confirmed.json()["error"]["code"] == "bad_type", confirmed.text
    store = timeline.app.state.media.store
    base = form["fields"]["key"].rsplit("/", 1)[0]
    assert await store.size(form["fields"]["key"]) is None and await store.size(object_key(base, ORIGINAL)) is None
    item = (await timeline.get(f"/location/items/{news['item_id']}", headers=w.parent("eva"))).json()
    assert item["attachments"] == []
    # A photo attachment is accepted but stored without its location (GPS).
    photo = await upload(timeline, w, news["item_id"], "uitje.jpg", samples.jpeg_with_gps(800, 600))
    ok = await timeline.post(f"/admin/location/items/{news['item_id']}/attachments/{photo['attachment_id']}/confirm",
                             headers=w.admin)
    assert ok.status_code == 200, ok.text
    url = (await timeline.get(f"/location/items/{news['item_id']}/attachments/{photo['attachment_id']}",
                              headers=w.parent("eva"))).json()["url"]
    async with httpx.AsyncClient() as s3:
        fetched = await s3.get(url)
    assert fetched.status_code == 200 and not samples.has_gps(fetched.content)
    bad_names = [{"file_name": "../../etc/passwd"}, {"file_name": 'a".pdf'}, {"file_name": ""}]
    for body in bad_names:
        r = await timeline.post(f"/admin/location/items/{news['item_id']}/attachments", headers=w.admin, json=body)
        assert r.status_code == 422, r.text


async def test_an_observation_attachment_reaches_that_childs_parents_only(timeline):
    w = await build(timeline)
    template = uuid.uuid4()
    await timeline.put(f"/admin/observation-templates/{template}", headers=w.admin, json={
        "organisation_id": str(w.org), "title": "Ontwikkeling", "questions": [{"question_id": "q1", "text": "Spel"}]})
    shared = (await timeline.post(f"/children/{w['noor']}/observations", headers=w.staff("sanne"), json={
        "template_id": str(template), "answers": {"q1": "Bouwt torens."}})).json()
    observation = shared["observation_id"]
    started = await timeline.post(f"/observations/{observation}/attachment", headers=w.staff("sanne"),
                                  json={"file_name": "verslag.pdf"})
    assert started.status_code == 201, started.text
    assert (await timeline.post(f"/observations/{observation}/attachment", headers=w.staff("mo"),
                                json={"file_name": "x.pdf"})).status_code == 403  # not the author
    form = started.json()
    async with httpx.AsyncClient() as s3:
        await s3.post(form["url"], data=form["fields"], files={"file": ("verslag.pdf", pdf("Verslag"))})
    confirmed = await timeline.post(f"/observations/{observation}/attachment/confirm", headers=w.staff("sanne"))
    assert confirmed.status_code == 200 and confirmed.json()["attachment"]["is_pdf"] is True, confirmed.text
    got = await timeline.get(f"/observations/{observation}/attachment", headers=w.parent("eva"))
    assert got.status_code == 200
    async with httpx.AsyncClient() as s3:
        assert (await s3.get(got.json()["url"])).content == pdf("Verslag")
    for headers in (w.parent("ilse"), (await build(timeline)).parent("eva")):
        assert (await timeline.get(f"/observations/{observation}/attachment", headers=headers)).status_code == 404


async def _photo(client: Any, org: uuid.UUID, posted_ago: timedelta) -> tuple[uuid.UUID, str]:
    """A photo row posted `posted_ago` before NOW, with an object in S3."""
    store = client.app.state.media.store
    photo_id, base = uuid.uuid4(), f"{org}/photos/{uuid.uuid4().hex}"
    path = client.app.state.tmp / f"{photo_id}.jpg"
    path.write_bytes(b"\xff\xd8\xff photo bytes")
    await store.upload_file(object_key(base, ORIGINAL), path, "image/jpeg")
    await fetch_rows(client.database_url, "INSERT INTO retention_test_photos VALUES ($1, $2, $3, $4)",
                     photo_id, org, NOW - posted_ago, base)
    return photo_id, base


async def _left(client: Any) -> set[uuid.UUID]:
    return {r["photo_id"] for r in await fetch_rows(client.database_url, "SELECT photo_id FROM retention_test_photos")}


@pytest.mark.parametrize("timeline", [[PHOTOS]], indirect=True)
async def test_the_daily_retention_deletes_expired_media_per_organisation_on_the_injected_clock(timeline, tmp_path):
    timeline.app.state.tmp = tmp_path
    await fetch_rows(timeline.database_url, "CREATE TABLE retention_test_photos (photo_id uuid PRIMARY KEY, "
                                            "organisation_id uuid, posted_at timestamptz, media_base text)")
    one_month, a_year, keeps = World(), World(), World()
    for w, months in ((one_month, 1), (a_year, 12)):
        r = await timeline.put(f"/admin/organisations/{w.org}/media-settings", headers=w.admin, json={
            "downloads_allowed": False, "videos_enabled": False, "photo_retention_months": months})
        assert r.status_code == 200, r.text
    _, old_base = await _photo(timeline, one_month.org, timedelta(days=40))
    fresh, _ = await _photo(timeline, one_month.org, timedelta(days=10))
    year_old, _ = await _photo(timeline, a_year.org, timedelta(days=40))
    kept, _ = await _photo(timeline, keeps.org, timedelta(days=4000))
    store, worker = timeline.app.state.media.store, timeline.app.state.retention

    timeline.app.state.clock.set(NOW)
    await worker.drain()
    assert await _left(timeline) == {fresh, year_old, kept}
    assert await store.size(object_key(old_base, ORIGINAL)) is None  # the object went with its row
    runs = await fetch_rows(timeline.database_url, "SELECT day, deleted_media FROM retention_runs")
    assert [(r["day"], r["deleted_media"]) for r in runs] == [(NOW.date(), 1)]

    # Daily: a photo that expired later the same day waits for the next day's run.
    late, _ = await _photo(timeline, one_month.org, timedelta(days=50))
    timeline.app.state.clock.advance(timedelta(hours=3))
    await worker.drain()
    assert late in await _left(timeline)
    timeline.app.state.clock.advance(timedelta(days=1))
    await worker.drain()
    assert await _left(timeline) == {fresh, year_old, kept}
    # A month on, the fresh one has expired too; the organisation keeping a year and the one keeping all stay.
    timeline.app.state.clock.set(NOW + timedelta(days=25))
    await worker.drain()
    assert await _left(timeline) == {year_old, kept}


async def test_an_upload_never_confirmed_is_deleted_after_its_deadline(timeline):
    w = await build(timeline)
    news = await publish(timeline, w, "news", "Nieuws", "organisation", w.org)
    form = await upload(timeline, w, news["item_id"], "brief.pdf", pdf())
    store, worker = timeline.app.state.media.store, timeline.app.state.retention
    assert await store.size(form["fields"]["key"]) is not None
    timeline.app.state.clock.advance(timedelta(minutes=10))
    await worker.drain()
    assert await store.size(form["fields"]["key"]) is not None  # still within its deadline
    timeline.app.state.clock.advance(timedelta(minutes=10))
    await worker.drain()
    assert await store.size(form["fields"]["key"]) is None
    assert await fetch_rows(timeline.database_url, "SELECT 1 FROM location_item_attachments") == []
    late = await timeline.post(f"/admin/location/items/{news['item_id']}/attachments/{form['attachment_id']}/confirm",
                               headers=w.admin)
    assert late.status_code == 404


async def test_the_daily_retention_deletes_timeline_photos_and_their_objects(timeline, tmp_path):
    """The app's own targets (RETAINED): photos and videos of series and diary entries in timeline_media."""
    w, keeps = World(), World()
    await timeline.put(f"/admin/organisations/{w.org}/media-settings", headers=w.admin, json={
        "downloads_allowed": True, "videos_enabled": True, "photo_retention_months": 6})
    store = timeline.app.state.media.store
    rows = {}
    for name, org, age in (("old", w.org, 200), ("new", w.org, 20), ("kept", keeps.org, 2000)):
        media_id, base = uuid.uuid4(), f"{org}/timeline/{uuid.uuid4().hex}"
        path = tmp_path / f"{name}.jpg"
        path.write_bytes(b"\xff\xd8\xff photo")
        for variant in (ORIGINAL, "thumbnail.jpg"):
            await store.upload_file(object_key(base, variant), path, "image/jpeg")
        await fetch_rows(timeline.database_url,
                         "INSERT INTO timeline_media (media_id, organisation_id, media_base, status, uploaded_by, "
                         "created_at, upload_expires_at, kind) VALUES ($1, $2, $3, 'attached', 'staff', $4, $4, "
                         "'photo')", media_id, org, base, NOW - timedelta(days=age))
        rows[name] = (media_id, base)
    timeline.app.state.clock.set(NOW)
    await timeline.app.state.retention.drain()
    left = {r["media_id"] for r in await fetch_rows(timeline.database_url, "SELECT media_id FROM timeline_media")}
    assert left == {rows["new"][0], rows["kept"][0]}
    for variant in (ORIGINAL, "thumbnail.jpg"):
        assert await store.size(object_key(rows["old"][1], variant)) is None
        assert await store.size(object_key(rows["new"][1], variant)) is not None


async def test_a_draft_with_a_pdf_is_announced_with_attachments_when_published(timeline):
    """Attachments are added to an existing item: a draft collects them, publishing announces it, saying so."""
    w = await build(timeline)
    draft = await timeline.post("/admin/location/items", headers=w.admin, json={
        "organisation_id": str(w.org), "kind": "newsletter", "title": "Nieuwsbrief juni", "body": "<p>Zie bijlage</p>",
        "audience": "location", "audience_id": str(w["centrum"]), "draft": True})
    assert draft.status_code == 201 and draft.json()["status"] == "draft", draft.text
    item_id = draft.json()["item_id"]
    assert await titles(timeline, w.parent("eva"), "/location/newsletters") == []  # families do not see drafts
    form = await upload(timeline, w, item_id, "juni.pdf", pdf("Nieuwsbrief juni"))
    await timeline.post(f"/admin/location/items/{item_id}/attachments/{form['attachment_id']}/confirm",
                        headers=w.admin)
    announced = "SELECT convert_from(value, 'UTF8')::jsonb -> 'payload' AS payload FROM kit_outbox " \
                "WHERE event_type = 'NewsletterPublished'"
    assert await fetch_rows(timeline.database_url, announced) == []  # nothing announced before publishing
    published = await timeline.post(f"/admin/location/items/{item_id}/publish", headers=w.admin)
    assert published.status_code == 200 and published.json()["status"] == "published", published.text
    assert await titles(timeline, w.parent("eva"), "/location/newsletters") == ["Nieuwsbrief juni"]
    rows = await fetch_rows(timeline.database_url, announced)
    payload = rows[0]["payload"]
    payload = json.loads(payload) if isinstance(payload, str) else payload
    assert len(rows) == 1 and payload["has_attachments"] is True and payload["title"] == "Nieuwsbrief juni"
    again = await timeline.post(f"/admin/location/items/{item_id}/publish", headers=w.admin)
    assert again.status_code == 200 and len(await fetch_rows(timeline.database_url, announced)) == 1
    other_org = await build(timeline)
    assert (await timeline.post(f"/admin/location/items/{item_id}/publish",
                                headers=other_org.admin)).status_code == 404
