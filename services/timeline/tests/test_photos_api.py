"""Photos, diary and feeds on real PostgreSQL and S3: who sees which photo under the consent rule, uploads, refusals."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from konnect_contracts.envelope import Envelope
from konnect_contracts.events import directory as ev
from konnect_devstack.infra import ensure_bucket
from konnect_devstack.pytest_plugin import (
    eventually,
    fetch_rows,
    internal_headers,
    new_topic_prefix,
    running_app,
    service_topics,
)
from konnect_kit.consumer import EventContext
from konnect_kit.dlq import list_dead_letters, replay_dead_letters
from konnect_kit.media import MediaProcessor, S3Config, samples
from timeline.api.timeline_models import FeedOut
from timeline.handlers.location_directory import HANDLERS as DIRECTORY
from timeline.handlers.photo_consent import HANDLERS as CONSENT
from timeline.main import MIGRATIONS, create_app
from timeline.settings import Settings

NOW = datetime.now(UTC).replace(microsecond=0)
HANDLERS = {**DIRECTORY, **CONSENT}


@pytest.fixture
async def timeline(infra, migrated_database) -> AsyncIterator[Any]:
    url = await migrated_database(MIGRATIONS)
    # Topics of its own (the processing step consumes timeline's own MediaUploaded), and quick retries.
    prefix = await new_topic_prefix(infra, service_topics("timeline"))
    ensure_bucket(infra.endpoints, "konnect-media")
    e = infra.endpoints
    app = create_app(Settings(database_url=url, **e.kafka_settings(), topic_prefix=prefix, environment="test",
                              consumer_backoff_initial_seconds=0.05, consumer_max_attempts=3,
                              outbox_poll_seconds=0.1, s3_endpoint=e.s3_endpoint, s3_access_key=e.s3_access_key,
                              s3_secret_key=e.s3_secret_key))
    async with running_app(app) as client:
        client.app = app  # type: ignore[attr-defined]
        client.database_url = url  # type: ignore[attr-defined]
        yield client


async def feed(client: Any, *events: Any) -> None:
    kit = client.app.state.kit
    async with kit.database.transaction() as session:
        for event in events:
            envelope = Envelope.wrap(event, producer="identity", correlation_id="test")
            await HANDLERS[type(event)](EventContext(session, envelope, kit.outbox), event)


class World:
    """Dolfijnen: siblings Sem and Lotte (De Jong, no consent), Noah (Jansen, separated parents Eva and Thomas,
    consent), Yusuf (Yilmaz, consent), Mila (Bakker, no consent). Egeltjes: Finn. Staff Sanne works in Dolfijnen."""

    def __init__(self) -> None:
        self.org = uuid.uuid4()
        self.ids: dict[str, uuid.UUID] = {}

    def __getitem__(self, key: str) -> uuid.UUID:
        return self.ids.setdefault(key, uuid.uuid4())

    def parent(self, name: str) -> dict[str, str]:
        return internal_headers("parent", str(self[name]), str(self.org))

    @property
    def sanne(self) -> dict[str, str]:
        return internal_headers("staff", str(self["sanne"]), str(self.org))

    @property
    def admin(self) -> dict[str, str]:
        return internal_headers("org_admin", str(self["admin"]), str(self.org))


FAMILIES = {  # family: (parents, children with group, consent)
    "dejong": (("anne", "mark"), (("sem", "dolfijnen"), ("lotte", "dolfijnen")), False),
    "jansen": (("eva", "thomas"), (("noah", "dolfijnen"),), True),
    "yilmaz": (("fatima",), (("yusuf", "dolfijnen"),), True),
    "bakker": (("ilse",), (("mila", "dolfijnen"),), False),
    "visser": (("petra",), (("finn", "egeltjes"),), True),
}


async def build(client: Any, org: uuid.UUID | None = None) -> World:
    w = World()
    if org:
        w.org = org
    c = {"organisation_id": w.org, "version": 1}
    await feed(client,
               ev.LocationUpserted(**c, location_id=w["centrum"], name="Centrum"),
               ev.GroupUpserted(**c, group_id=w["dolfijnen"], location_id=w["centrum"], name="Dolfijnen"),
               ev.GroupUpserted(**c, group_id=w["egeltjes"], location_id=w["centrum"], name="Egeltjes"),
               ev.StaffUpserted(**c, staff_id=w["sanne"], account_id=w["sanne"], name="Sanne",
                                group_ids=(w["dolfijnen"],)))
    for family, (parents, children, consent) in FAMILIES.items():
        for parent in parents:
            await feed(client, ev.ParentUpserted(**c, account_id=w[parent], family_id=w[family], name=parent,
                                                 email=f"{parent}@x.test"))
        for child, group in children:
            await feed(client,
                       ev.ChildUpserted(**c, child_id=w[child], family_id=w[family], first_name=child.title(),
                                        last_name=family, birth_date=date(2022, 1, 1)),
                       ev.PlacementUpserted(**c, placement_id=uuid.uuid4(), child_id=w[child], family_id=w[family],
                                            group_id=w[group], care_type="day_care", starts_on=date(2024, 1, 1)),
                       ev.ConsentChanged(organisation_id=w.org, child_id=w[child], family_id=w[family],
                                         consent_kind="photo_sharing", granted=consent))
    return w


async def upload(client: Any, headers: dict[str, str], data: bytes, *, status: int = 200) -> dict:
    started = await client.post("/timeline/uploads", headers=headers)
    assert started.status_code == 201, started.text
    form = started.json()
    async with httpx.AsyncClient() as s3:
        sent = await s3.post(form["url"], data=form["fields"], files={"file": ("IMG_0001.jpg", data)})
        assert sent.status_code in (200, 204), sent.text
    confirmed = await client.post(f"/timeline/uploads/{form['upload_id']}/confirm", headers=headers)
    assert confirmed.status_code == status, confirmed.text
    if status != 200:
        return {**confirmed.json(), "upload_id": form["upload_id"]}
    return await processed(client, headers, form["upload_id"])


async def processed(client: Any, headers: dict[str, str], upload_id: str) -> dict:
    """The upload once the processing step (timeline's own consumer) is done with it: ready or failed."""
    async def done() -> dict | None:
        r = await client.get(f"/timeline/uploads/{upload_id}", headers=headers)
        assert r.status_code == 200, r.text
        return r.json() if r.json()["status"] in ("ready", "failed") else None
    return await eventually(done, timeout=30, interval=0.1)


async def post(client: Any, w: World, photos: list[tuple[str, ...]], *, status: int = 201,
               caption: str = "Buiten spelen") -> dict:
    items = []
    for children in photos:
        up = await upload(client, w.sanne, samples.jpeg_with_gps(640, 480, label="/".join(children)))
        items.append({"upload_id": up["upload_id"], "child_ids": [str(w[c]) for c in children]})
    r = await client.post("/timeline/series", headers=w.sanne, json={
        "group_id": str(w["dolfijnen"]), "caption": caption, "photos": items})
    assert r.status_code == status, r.text
    return r.json()


def as_feed(r: Any) -> dict:
    """A feed answer, written straight from its rows (konnect_kit.answers): exactly what FeedOut, the documented
    answer, writes for it (same fields, order and forms), or the test fails."""
    assert r.status_code == 200, r.text
    assert FeedOut.model_validate_json(r.content).model_dump_json().encode() == r.content
    return r.json()


async def seen_photos(client: Any, headers: dict[str, str]) -> set[str]:
    found = as_feed(await client.get("/timeline/feed", headers=headers))
    return {p["photo_id"] for item in found["items"] if item["type"] == "photos"
            for p in item["series"]["photos"]}


async def test_each_family_sees_exactly_the_photos_the_consent_rule_allows(timeline):
    w = await build(timeline)
    posted = await post(timeline, w, [("sem", "lotte"), ("sem", "noah"), ("noah", "yusuf"), ("mila", "sem")])
    siblings, sem_noah, noah_yusuf, mila_sem = (p["photo_id"] for p in posted["photos"])
    # The staff member is told which photos are restricted and why.
    assert any("Sem" in n and "own family" in n for n in posted["notices"])
    assert posted["photos"][1]["not_shown_to_families_of"] == [str(w["noah"])]
    assert posted["photos"][0]["children_without_consent"] == []  # siblings: one family, nothing to restrict
    assert set(posted["photos"][3]["not_shown_to_families_of"]) == {str(w["mila"]), str(w["sem"])}

    expected = {"anne": {siblings, sem_noah}, "mark": {siblings, sem_noah}, "eva": {noah_yusuf},
                "thomas": {noah_yusuf}, "fatima": {noah_yusuf}, "ilse": set(), "petra": set()}
    for parent, photos in expected.items():
        assert await seen_photos(timeline, w.parent(parent)) == photos, parent
        for photo in {siblings, sem_noah, noah_yusuf, mila_sem} - photos:  # not even by a direct link
            assert (await timeline.get(f"/timeline/photos/{photo}", headers=w.parent(parent))).status_code == 404

    # Sem's family gives consent: Noah's family sees the photo with Sem at once; withdrawn, it is gone again.
    consent = {"organisation_id": w.org, "child_id": w["sem"], "family_id": w["dejong"],
               "consent_kind": "photo_sharing"}
    await feed(timeline, ev.ConsentChanged(**consent, granted=True), ev.ConsentChanged(
        organisation_id=w.org, child_id=w["lotte"], family_id=w["dejong"], consent_kind="photo_sharing",
        granted=True))
    assert await seen_photos(timeline, w.parent("eva")) == {sem_noah, noah_yusuf}
    await feed(timeline, ev.ConsentChanged(**consent, granted=False))
    assert await seen_photos(timeline, w.parent("eva")) == {noah_yusuf}
    # A family sees only its own children named in a photo.
    r = await timeline.get(f"/timeline/photos/{noah_yusuf}", headers=w.parent("fatima"))
    assert r.json()["child_ids"] == [str(w["yusuf"])]

    rows = await fetch_rows(timeline.database_url,
                            "SELECT count(*) AS n FROM kit_outbox WHERE event_type = 'PhotoPosted'")
    assert rows[0]["n"] == 4  # one per photo, the series named in each


async def test_full_size_url_works_expires_and_the_original_has_no_gps(timeline):
    w = await build(timeline)
    up = await upload(timeline, w.sanne, samples.heic_with_gps())
    assert (up["kind"], up["content_type"]) == ("photo", "image/jpeg")
    r = await timeline.post("/timeline/series", headers=w.sanne, json={
        "group_id": str(w["dolfijnen"]), "child_ids": [str(w["noah"])], "photos": [{"upload_id": up["upload_id"]}]})
    photo_id = r.json()["photos"][0]["photo_id"]
    photo = (await timeline.get(f"/timeline/photos/{photo_id}", headers=w.parent("thomas"))).json()
    async with httpx.AsyncClient() as s3:
        full = await s3.get(photo["display_url"])
        assert full.status_code == 200 and not samples.has_gps(full.content)
        other = photo["display_url"].replace("/display.jpg", "/original")
        assert (await s3.get(other)).status_code == 403  # a signature is for one object only
        # Downloads are off by default.
        refused = await timeline.get(f"/timeline/photos/{photo_id}/download", headers=w.parent("thomas"))
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "downloads_off"
        r = await timeline.put(f"/admin/organisations/{w.org}/media-settings", headers=w.admin, json={
            "downloads_allowed": True, "videos_enabled": False})
        assert r.status_code == 200, r.text
        download = (await timeline.get(f"/timeline/photos/{photo_id}/download", headers=w.parent("thomas"))).json()
        original = await s3.get(download["url"])
        assert original.status_code == 200 and not samples.has_gps(original.content)
        assert b"iPhone" not in original.content
        # A URL signed six minutes ago (clock moved back) has expired.
        timeline.app.state.clock.set(datetime.now(UTC) - timedelta(minutes=6))
        old = (await timeline.get(f"/timeline/photos/{photo_id}", headers=w.parent("thomas"))).json()
        timeline.app.state.clock.reset()
        assert (await s3.get(old["display_url"])).status_code == 403


async def test_a_parent_diary_entry_with_a_photo_is_in_the_feed_at_once(timeline):
    w = await build(timeline)
    up = await upload(timeline, w.parent("anne"), samples.jpeg_with_gps(800, 600, orientation=6))
    assert (up["width"], up["height"]) == (600, 800)
    r = await timeline.post(f"/timeline/children/{w['lotte']}/diary", headers=w.parent("anne"),
                            json={"text": "Lotte heeft slecht geslapen.", "upload_ids": [up["upload_id"]]})
    assert r.status_code == 201, r.text
    entry = r.json()
    feed_ = as_feed(await timeline.get("/timeline/feed", headers=w.parent("mark")))
    assert feed_["items"][0]["id"] == entry["entry_id"] and feed_["items"][0]["new"]
    assert feed_["unseen"] == 1
    assert (await timeline.get(f"/timeline/diary/{entry['entry_id']}", headers=w.sanne)).status_code == 200
    assert (await timeline.get(f"/timeline/diary/{entry['entry_id']}", headers=w.parent("eva"))).status_code == 404
    await timeline.put("/timeline/feed/seen", headers=w.parent("mark"))
    again = (await timeline.get("/timeline/feed", headers=w.parent("mark"))).json()
    assert again["unseen"] == 0 and not again["items"][0]["new"]
    lotte = as_feed(await timeline.get(f"/timeline/children/{w['lotte']}/timeline", headers=w.parent("anne")))
    assert [i["id"] for i in lotte["items"]] == [entry["entry_id"]]
    assert (await timeline.get(f"/timeline/children/{w['lotte']}/timeline",
                               headers=w.parent("eva"))).status_code == 404


async def test_cursor_pages_are_stable_under_new_posts(timeline):
    w = await build(timeline)
    ids = []
    for i in range(5):
        timeline.app.state.clock.set(NOW + timedelta(minutes=i))
        r = await timeline.post(f"/timeline/children/{w['sem']}/diary", headers=w.sanne, json={"text": f"Dag {i}"})
        ids.append(r.json()["entry_id"])
    first = (await timeline.get("/timeline/feed?limit=2", headers=w.parent("anne"))).json()
    assert [i["id"] for i in first["items"]] == ids[4:2:-1]
    timeline.app.state.clock.set(NOW + timedelta(minutes=10))
    await timeline.post(f"/timeline/children/{w['sem']}/diary", headers=w.sanne, json={"text": "Nieuw"})
    second = (await timeline.get(f"/timeline/feed?limit=2&cursor={first['next_cursor']}",
                                 headers=w.parent("anne"))).json()
    assert [i["id"] for i in second["items"]] == ids[2:0:-1]
    bad = await timeline.get("/timeline/feed?cursor=not-a-cursor", headers=w.parent("anne"))
    assert bad.status_code == 422


@pytest.mark.parametrize(("data", "code"), [
    (b"MZ\x90\x00 an executable named IMG_0001.jpg", "bad_type"),
    (samples.pixel_bomb(), "image_too_large"),  # the PNG header claims 144 megapixels: refused at confirm
    (b"%PDF-1.7\n a pdf named IMG_0001.jpg", "bad_type"),
])
async def test_bad_files_are_refused_and_nothing_is_kept(timeline, data: bytes, code: str):
    w = await build(timeline)
    refused = await upload(timeline, w.sanne, data, status=422)
    assert refused["error"]["code"] == code
    r = await timeline.post("/timeline/series", headers=w.sanne, json={
        "group_id": str(w["dolfijnen"]), "child_ids": [str(w["sem"])],
        "photos": [{"upload_id": refused["upload_id"]}]})
    assert r.status_code == 409
    assert (await fetch_rows(timeline.database_url, "SELECT * FROM photos")) == []


async def test_a_damaged_file_fails_in_processing_and_is_never_shown(timeline):
    """Truncation shows only when decoding: confirm accepts it, the processing step marks it failed (with the
    reason, for the uploader) and it can never be posted; the raw upload is deleted."""
    w = await build(timeline)
    failed = await upload(timeline, w.sanne, samples.truncated_jpeg())
    assert failed["status"] == "failed" and failed["failure"]["code"] == "corrupt", failed
    base = (await fetch_rows(timeline.database_url, "SELECT media_base FROM timeline_media"))[0]["media_base"]
    assert await timeline.app.state.media.store.size(f"{base}/upload") is None
    refused = {"upload_id": failed["upload_id"]}
    r = await timeline.post("/timeline/series", headers=w.sanne, json={
        "group_id": str(w["dolfijnen"]), "child_ids": [str(w["sem"])],
        "photos": [{"upload_id": refused["upload_id"]}]})
    assert r.status_code == 409 and r.json()["error"]["code"] == "upload_failed", r.text
    assert (await fetch_rows(timeline.database_url, "SELECT * FROM photos")) == []


async def test_a_video_where_videos_are_off_is_refused(timeline):
    w = await build(timeline)
    refused = await upload(timeline, w.sanne, samples.video_with_gps(2), status=422)
    assert refused["error"]["code"] == "videos_off"
    await timeline.put(f"/admin/organisations/{w.org}/media-settings", headers=w.admin,
                       json={"downloads_allowed": False, "videos_enabled": True})
    video = await upload(timeline, w.sanne, samples.video_with_gps(2))
    assert video["kind"] == "video" and video["duration_seconds"] > 1


async def test_wrong_tags_and_diary_input_are_refused(timeline):
    w = await build(timeline)
    other = await build(timeline)  # another organisation
    up = await upload(timeline, w.sanne, samples.jpeg_with_gps(300, 200))
    for child in (w["finn"], other["noah"]):  # not in this group / of another organisation
        r = await timeline.post("/timeline/series", headers=w.sanne, json={
            "group_id": str(w["dolfijnen"]), "child_ids": [str(child)], "photos": [{"upload_id": up["upload_id"]}]})
        assert r.status_code == 422 and r.json()["error"]["code"] == "child_not_in_group", r.text
    r = await timeline.post("/timeline/series", headers=w.sanne, json={
        "group_id": str(w["egeltjes"]), "child_ids": [str(w["finn"])], "photos": [{"upload_id": up["upload_id"]}]})
    assert r.status_code == 403  # Sanne does not work in Egeltjes
    r = await timeline.post("/timeline/series", headers=w.parent("anne"), json={
        "group_id": str(w["dolfijnen"]), "child_ids": [str(w["sem"])], "photos": [{"upload_id": up["upload_id"]}]})
    assert r.status_code == 403
    assert (await fetch_rows(timeline.database_url, "SELECT * FROM photo_series")) == []
    for child, text, status in ((w["noah"], "Hallo", 404), (w["sem"], "   ", 422), (w["sem"], "x" * 5001, 422)):
        r = await timeline.post(f"/timeline/children/{child}/diary", headers=w.parent("anne"), json={"text": text})
        assert r.status_code == status, r.text
    assert (await fetch_rows(timeline.database_url, "SELECT * FROM diary_entries")) == []


async def test_uploads_never_confirmed_or_never_posted_are_deleted_after_their_deadline(timeline):
    w = await build(timeline)
    clock, worker, store = timeline.app.state.clock, timeline.app.state.retention, timeline.app.state.media.store
    clock.set(datetime.now(UTC))
    assert (await timeline.post("/timeline/uploads", headers=w.sanne)).status_code == 201  # never sent
    never_confirmed = (await timeline.post("/timeline/uploads", headers=w.sanne)).json()
    async with httpx.AsyncClient() as s3:  # sent to S3 (with its GPS tags) but never confirmed
        await s3.post(never_confirmed["url"], data=never_confirmed["fields"],
                      files={"file": ("IMG_0002.jpg", samples.jpeg_with_gps(300, 200))})
    raw_key = never_confirmed["fields"]["key"]
    assert await store.size(raw_key)
    unused = await upload(timeline, w.sanne, samples.jpeg_with_gps(300, 200))
    used = await post(timeline, w, [("sem",)])
    clock.advance(timedelta(minutes=20))  # past the 15 minutes to confirm, within the day to post
    await worker.drain()
    rows = await fetch_rows(timeline.database_url, "SELECT media_id::text AS id FROM timeline_media")
    assert {r["id"] for r in rows} == {unused["upload_id"], used["photos"][0]["upload_id"]}
    assert await store.size(raw_key) is None  # the never-confirmed file is gone from S3 too
    clock.advance(timedelta(days=1))
    await worker.drain()
    rows = await fetch_rows(timeline.database_url, "SELECT media_base FROM timeline_media")
    assert len(rows) == 1  # only the posted photo remains
    assert await store.size(f"{rows[0]['media_base']}/thumbnail.jpg")
    assert await seen_photos(timeline, w.parent("anne")) == {used["photos"][0]["photo_id"]}


async def test_a_store_failure_in_processing_retries_then_dead_letters_and_a_replay_finishes_it(timeline):
    """The processing step is a consumer step: with the store failing it is retried, then dead-lettered; the
    client saw no 5xx, families see nothing half-done; replayed once the store is back, the photo appears."""
    w = await build(timeline)
    media, kit = timeline.app.state.media, timeline.app.state.kit
    working = media.processor
    config = working.config
    # The processing workers reach a bucket that does not exist: every attempt fails in the store (not a refusal).
    media.processor = MediaProcessor(S3Config(config.endpoint, config.access_key, config.secret_key,
                                              bucket="no-such-bucket", secure=config.secure))
    try:
        started = (await timeline.post("/timeline/uploads", headers=w.sanne)).json()
        async with httpx.AsyncClient() as s3:
            await s3.post(started["url"], data=started["fields"],
                          files={"file": ("IMG_0001.jpg", samples.jpeg_with_gps(640, 480))})
        confirmed = await timeline.post(f"/timeline/uploads/{started['upload_id']}/confirm", headers=w.sanne)
        assert confirmed.status_code == 200 and confirmed.json()["status"] == "processing", confirmed.text
        posted = await timeline.post("/timeline/series", headers=w.sanne, json={
            "group_id": str(w["dolfijnen"]), "child_ids": [str(w["noah"])],
            "photos": [{"upload_id": started["upload_id"]}]})
        assert posted.status_code == 201, posted.text  # posting does not wait for processing
        photo_id = posted.json()["photos"][0]["photo_id"]

        settings = kit.settings

        async def dead_lettered() -> list:
            letters = await list_dead_letters(settings.kafka, "timeline", topic_prefix=settings.topic_prefix)
            return [x for x in letters if x.header("event_type") == "MediaUploaded"]

        letters = await eventually(dead_lettered, timeout=60, interval=0.5)
        assert letters[0].header("dlq_attempts") == "3", [h for h in letters[0].record.headers]
        assert "MediaStoreError" in (letters[0].header("dlq_error") or "")
        state = (await timeline.get(f"/timeline/uploads/{started['upload_id']}", headers=w.sanne)).json()
        assert state["status"] == "processing"
        # Nothing half-visible: the family does not see it; staff see it as processing, without URLs.
        assert await seen_photos(timeline, w.parent("eva")) == set()
        assert (await timeline.get(f"/timeline/photos/{photo_id}", headers=w.parent("eva"))).status_code == 404
        staff_view = (await timeline.get(f"/timeline/photos/{photo_id}", headers=w.sanne)).json()
        assert (staff_view["status"], staff_view["thumbnail_url"]) == ("processing", None)
        assert (await fetch_rows(timeline.database_url, "SELECT count(*) AS n FROM kit_outbox "
                                 "WHERE event_type = 'PhotoPosted'"))[0]["n"] == 0
    finally:
        media.processor.close()
        media.processor = working
    # The store is back: the operator replays the dead letter; the photo is processed and announced.
    assert await replay_dead_letters(settings.kafka, "timeline", topic_prefix=settings.topic_prefix) >= 1
    assert (await processed(timeline, w.sanne, started["upload_id"]))["status"] == "ready"
    assert await eventually(lambda: seen_photos(timeline, w.parent("eva"))) == {photo_id}
    assert (await fetch_rows(timeline.database_url, "SELECT count(*) AS n FROM kit_outbox "
                             "WHERE event_type = 'PhotoPosted'"))[0]["n"] == 1


async def test_staff_list_every_series_of_their_group_page_by_page(timeline):
    w = await build(timeline)
    posted = []
    for i in range(3):
        timeline.app.state.clock.set(NOW + timedelta(minutes=i))
        posted.append((await post(timeline, w, [("sem", "noah")], caption=f"Dag {i}"))["series_id"])
    timeline.app.state.clock.reset()
    path = f"/timeline/groups/{w['dolfijnen']}/series"
    first = (await timeline.get(f"{path}?limit=2", headers=w.sanne)).json()
    assert [s["series_id"] for s in first["items"]] == posted[:0:-1]
    # Staff see every tagged child, also the one a family would not be told about.
    assert set(first["items"][0]["photos"][0]["child_ids"]) == {str(w["sem"]), str(w["noah"])}
    second = (await timeline.get(f"{path}?limit=2&cursor={first['next_cursor']}", headers=w.admin)).json()
    assert [s["series_id"] for s in second["items"]] == posted[:1] and second["next_cursor"] is None
    other = await build(timeline)  # another organisation: its administrator and staff find no such group
    assert (await timeline.get(path, headers=other.admin)).status_code == 404
    assert (await timeline.get(path, headers=other.sanne)).status_code == 404
    assert (await timeline.get(path, headers=w.parent("anne"))).status_code == 403
    # A child's timeline for staff: every series the child is in, whatever the other children's consent.
    noah = as_feed(await timeline.get(f"/timeline/children/{w['noah']}/timeline", headers=w.sanne))
    assert [i["id"] for i in noah["items"]] == posted[::-1]
    assert (await timeline.get(f"/timeline/children/{w['noah']}/timeline", headers=other.sanne)).status_code == 404
    egeltjes = f"/timeline/groups/{w['egeltjes']}/series"
    assert (await timeline.get(egeltjes, headers=w.sanne)).status_code == 403  # not a group Sanne works in
