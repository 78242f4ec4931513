"""My location on real PostgreSQL: who sees which news, newsletters, info pages, team and observations; bad input."""

import uuid
from datetime import timedelta

from konnect_contracts.events import directory as ev
from konnect_devstack.pytest_plugin import fetch_rows
from location_world import build, feed, publish, timeline, titles

__all__ = ["timeline"]  # the fixture


async def test_each_family_sees_the_items_addressed_to_its_organisation_location_or_group(timeline):
    w = await build(timeline)
    await publish(timeline, w, "news", "Zomerfeest", "organisation", w.org)
    timeline.app.state.clock.advance(timedelta(minutes=1))
    await publish(timeline, w, "news", "Noord verbouwt", "location", w["noord"])
    timeline.app.state.clock.advance(timedelta(minutes=1))
    letter = await publish(timeline, w, "newsletter", "Nieuwsbrief Dolfijnen", "group", w["dolfijnen"],
                           headers=w.staff("sanne"))
    await publish(timeline, w, "info_page", "Openingstijden Centrum", "location", w["centrum"])

    assert await titles(timeline, w.parent("eva"), "/location/news") == ["Zomerfeest"]
    assert await titles(timeline, w.parent("ilse"), "/location/news") == ["Noord verbouwt", "Zomerfeest"]
    assert await titles(timeline, w.parent("eva"), "/location/newsletters") == ["Nieuwsbrief Dolfijnen"]
    assert await titles(timeline, w.parent("ilse"), "/location/newsletters") == []
    assert await titles(timeline, w.parent("eva"), "/location/info-pages") == ["Openingstijden Centrum"]
    # Ruben's placement ended yesterday: his family no longer belongs to any audience.
    assert await titles(timeline, w.parent("joris"), "/location/news") == []
    assert (await timeline.get(f"/location/items/{letter['item_id']}", headers=w.parent("ilse"))).status_code == 404
    full = await timeline.get(f"/location/items/{letter['item_id']}", headers=w.parent("eva"))
    assert full.status_code == 200 and full.json()["body_html"] == "<p>Tekst</p>"

    # Another organisation's parent and admin see nothing of it.
    other = await build(timeline)
    assert await titles(timeline, other.parent("eva"), "/location/news") == []
    for headers in (other.parent("eva"), other.admin, other.staff("sanne")):
        assert (await timeline.get(f"/location/items/{letter['item_id']}", headers=headers)).status_code == 404

    # Withdrawn: gone for families at once, still listed for the organisation.
    r = await timeline.post(f"/admin/location/items/{letter['item_id']}/withdraw", headers=w.admin)
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert await titles(timeline, w.parent("eva"), "/location/newsletters") == []
    listed = await timeline.get("/admin/location/items", params={"organisation_id": str(w.org)}, headers=w.admin)
    assert {i["title"]: i["status"] for i in listed.json()["items"]}["Nieuwsbrief Dolfijnen"] == "withdrawn"

    # Announced for notifications: the organisation-wide news once per location, the newsletter once.
    rows = await fetch_rows(timeline.database_url, "SELECT event_type, key FROM kit_outbox ORDER BY id")
    events = [(r["event_type"], r["key"]) for r in rows]
    assert sorted(k for t, k in events if t == "NewsPublished") == sorted(
        [str(w["centrum"]), str(w["noord"]), str(w["noord"])])
    assert events.count(("NewsletterPublished", str(w["centrum"]))) == 1


async def test_pages_are_newest_first_and_stable_under_new_items(timeline):
    w = await build(timeline)
    for n in range(5):
        await publish(timeline, w, "news", f"Bericht {n}", "organisation", w.org)
        timeline.app.state.clock.advance(timedelta(minutes=1))
    first = (await timeline.get("/location/news", params={"limit": 2}, headers=w.parent("eva"))).json()
    assert [i["title"] for i in first["items"]] == ["Bericht 4", "Bericht 3"]
    await publish(timeline, w, "news", "Nieuwer", "organisation", w.org)
    second = (await timeline.get("/location/news", params={"limit": 2, "cursor": first["next_cursor"]},
                                 headers=w.parent("eva"))).json()
    assert [i["title"] for i in second["items"]] == ["Bericht 2", "Bericht 1"]
    bad = await timeline.get("/location/news", params={"cursor": "not-a-cursor"}, headers=w.parent("eva"))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_cursor"


async def test_rich_text_is_sanitised_and_bad_input_is_refused_with_nothing_stored(timeline):
    w = await build(timeline)
    item = await publish(timeline, w, "info_page", "Praktisch", "organisation", w.org,
                         body='<h2>Halen</h2><p onclick="steal()">Om <b>18:00</b><script>alert(1)</script>'
                              '<a href="javascript:alert(1)">x</a> <a href="https://example.test">site</a></p>')
    html = item["body_html"]
    assert "script" not in html and "onclick" not in html and "javascript" not in html
    assert "<h2>Halen</h2>" in html and "<b>18:00</b>" in html and 'href="https://example.test"' in html
    other = await build(timeline)
    refusals = [
        (dict(body="<script>only()</script>"), 422, "empty_body"),
        (dict(audience="group", audience_id=str(other["dolfijnen"])), 404, "not_found"),
        (dict(audience="organisation", audience_id=str(other.org)), 404, "not_found"),
        (dict(organisation_id=str(other.org)), 404, "not_found"),
        (dict(title=""), 422, "validation_failed"),
        (dict(kind="poster"), 422, "validation_failed"),
    ]
    for change, status, code in refusals:
        body = {"organisation_id": str(w.org), "kind": "news", "title": "T", "body": "<p>x</p>",
                "audience": "organisation", "audience_id": str(w.org), **change}
        r = await timeline.post("/admin/location/items", headers=w.admin, json=body)
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), (change, r.text)
    # Staff publish for their own groups only; parents publish nothing.
    await publish(timeline, w, "news", "T", "group", w["egeltjes"], headers=w.staff("sanne"), status=403)
    await publish(timeline, w, "news", "T", "organisation", w.org, headers=w.staff("sanne"), status=403)
    await publish(timeline, w, "news", "T", "organisation", w.org, headers=w.parent("eva"), status=403)
    rows = await fetch_rows(timeline.database_url, "SELECT title FROM location_items")
    assert [r["title"] for r in rows] == ["Praktisch"]
    assert await fetch_rows(timeline.database_url, "SELECT 1 FROM kit_outbox") == []  # info pages are not announced


async def test_contact_and_team_follow_the_childrens_groups(timeline):
    w = await build(timeline)
    contact = (await timeline.get("/location", headers=w.parent("eva"))).json()["items"]
    assert [(c["name"], c["phone"], c["email"]) for c in contact] == [
        ("Centrum", "030-1234567", "centrum@example.test")]
    team = (await timeline.get("/location/team", headers=w.parent("eva"))).json()["items"]
    assert [(m["name"], m["introduction"], [g["name"] for g in m["groups"]]) for m in team] == [
        ("Sanne", "Ik werk sinds 2019 bij de Dolfijnen.", ["Dolfijnen"])]
    assert [m["name"] for m in (await timeline.get("/location/team", headers=w.parent("ilse"))).json()["items"]] == [
        "Mohamed"]
    assert (await timeline.get("/location/team", headers=w.parent("joris"))).json()["items"] == []
    # A staff member who leaves (inactive) drops out of the team.
    await feed(timeline, ev.StaffUpserted(organisation_id=w.org, version=2, staff_id=w["sanne"], name="Sanne",
                                          group_ids=(w["dolfijnen"],), active=False))
    assert (await timeline.get("/location/team", headers=w.parent("eva"))).json()["items"] == []


async def test_observations_are_shared_with_that_childs_parents_only(timeline):
    w = await build(timeline)
    template = uuid.uuid4()
    r = await timeline.put(f"/admin/observation-templates/{template}", headers=w.admin, json={
        "organisation_id": str(w.org), "title": "Welbevinden", "questions": [
            {"question_id": "play", "text": "Hoe speelt het kind?"},
            {"question_id": "language", "text": "Hoe praat het kind?"}]})
    assert r.status_code == 200, r.text
    assert [t["title"] for t in (await timeline.get("/observation-templates", headers=w.staff("sanne"))).json()[
        "items"]] == ["Welbevinden"]
    shared = await timeline.post(f"/children/{w['noor']}/observations", headers=w.staff("sanne"), json={
        "template_id": str(template), "answers": {"play": "Bouwt torens."}})
    assert shared.status_code == 201, shared.text
    assert shared.json()["answers"] == [
        {"question_id": "play", "question": "Hoe speelt het kind?", "answer": "Bouwt torens."},
        {"question_id": "language", "question": "Hoe praat het kind?", "answer": ""}]
    observation = shared.json()["observation_id"]
    mine = (await timeline.get(f"/children/{w['noor']}/observations", headers=w.parent("eva"))).json()["items"]
    assert [o["observation_id"] for o in mine] == [observation]
    assert (await timeline.get(f"/observations/{observation}", headers=w.parent("eva"))).status_code == 200
    other = await build(timeline)
    for headers in (w.parent("ilse"), other.parent("eva"), other.admin):
        assert (await timeline.get(f"/children/{w['noor']}/observations", headers=headers)).status_code == 404
        assert (await timeline.get(f"/observations/{observation}", headers=headers)).status_code == 404
    # Refusals, nothing stored: a child of another group, another family's parent, bad answers, unknown template.
    for headers, child, body, status in (
        (w.staff("sanne"), w["mila"], {"template_id": str(template), "answers": {"play": "x"}}, 403),
        (w.parent("eva"), w["noor"], {"template_id": str(template), "answers": {"play": "x"}}, 403),
        (w.staff("sanne"), w["noor"], {"template_id": str(template), "answers": {"nope": "x"}}, 422),
        (w.staff("sanne"), w["noor"], {"template_id": str(template), "answers": {"play": " "}}, 422),
        (w.staff("sanne"), w["noor"], {"template_id": str(uuid.uuid4()), "answers": {"play": "x"}}, 404),
        (other.admin, w["noor"], {"template_id": str(template), "answers": {"play": "x"}}, 404),
    ):
        r = await timeline.post(f"/children/{child}/observations", headers=headers, json=body)
        assert r.status_code == status, (body, r.text)
    assert len(await fetch_rows(timeline.database_url, "SELECT 1 FROM observations")) == 1
    rows = await fetch_rows(timeline.database_url, "SELECT event_type, key FROM kit_outbox")
    assert [(r["event_type"], r["key"]) for r in rows] == [("ObservationShared", str(w["centrum"]))]


async def test_media_settings_are_the_administrators_of_that_organisation(timeline):
    w, other = await build(timeline), await build(timeline)
    path = f"/admin/organisations/{w.org}/media-settings"
    assert (await timeline.get(path, headers=w.admin)).json() == {
        "organisation_id": str(w.org), "downloads_allowed": False, "videos_enabled": False,
        "photo_retention_months": None}
    wanted = {"downloads_allowed": True, "videos_enabled": True, "photo_retention_months": 24}
    assert (await timeline.put(path, headers=w.admin, json=wanted)).status_code == 200
    assert (await timeline.get(path, headers=w.admin)).json()["photo_retention_months"] == 24
    assert (await timeline.put(path, headers=other.admin, json=wanted)).status_code == 404
    assert (await timeline.put(path, headers=w.staff("sanne"), json=wanted)).status_code == 403
    assert (await timeline.put(path, headers=w.admin, json={**wanted, "photo_retention_months": 0})).status_code == 422
