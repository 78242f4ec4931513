"""My location end to end through the gateway (real Kafka, PostgreSQL, S3): news with a PDF, a newsletter, an info
page, team and an observation reach exactly the families addressed; attachments only through short-lived signed
URLs after the access check; bad input refused with nothing stored."""

import httpx
from e2e_world import address, bearer, build_world, logged_in, new_id, put
from konnect_kit.media.sample_documents import pdf
from location_e2e_world import attach, observe, publish, timeline_knows_team
from planning_world import build_planning_world


async def staff_login(gateway, mailpit, org: str, group_ids: list[str], name: str, *, is_admin: bool,
                      bio: str | None = None) -> tuple[str, dict]:
    staff_id, email = new_id(), address(name.lower())
    await put(gateway, f"/admin/directory/staff/{staff_id}", {
        "organisation_id": org, "name": name, "email": email, "is_admin": is_admin, "group_ids": group_ids,
        **({"bio": bio} if bio else {})})
    return staff_id, bearer(await logged_in(gateway, mailpit, email))


async def titles(gateway, headers: dict, path: str) -> list[str]:
    r = await gateway.get(f"/api/v1{path}", headers=headers)
    assert r.status_code == 200, r.text
    return [i["title"] for i in r.json()["items"]]


async def test_location_content_reaches_exactly_the_families_addressed(gateway, mailpit):
    w = await build_planning_world(gateway, mailpit)
    await put(gateway, f"/admin/directory/locations/{w.location}", {
        "organisation_id": w.org, "name": "Centrum", "street": "Kerkstraat", "house_number": "1",
        "postal_code": "3511 AA", "city": "Utrecht", "phone": "030-1234567", "email": "centrum@example.com"})
    _, admin = await staff_login(gateway, mailpit, w.org, [], "Petra", is_admin=True)
    _, sanne = await staff_login(gateway, mailpit, w.org, [w.groups["dolfijnen"]], "Sanne", is_admin=False,
                                 bio="Ik werk sinds 2019 bij de Dolfijnen.")
    eva, tom, ilse = w.as_parent("eva"), w.as_parent("tom"), w.as_parent("ilse")
    await timeline_knows_team(gateway, eva, "Sanne")

    news = await publish(gateway, admin, w.org, "news", "Zomerfeest", "organisation", w.org,
                         body="<p>Vrijdag <strong>zomerfeest</strong>!<script>steal()</script></p>")
    confirmed = await attach(gateway, admin, news["item_id"], "programma.pdf", pdf("Programma zomerfeest"))
    assert confirmed.status_code == 200, confirmed.text
    attachment = confirmed.json()["attachments"][0]
    letter = await publish(gateway, sanne, w.org, "newsletter", "Nieuwsbrief Dolfijnen", "group", w.groups["dolfijnen"])
    await publish(gateway, admin, w.org, "info_page", "Openingstijden", "location", w.location,
                  body="<h2>Open</h2><p>07:00-18:30</p>")
    _, observation = await observe(gateway, admin, sanne, w.org, w.children["noor"])

    # Enumerated per family: De Vries (Dolfijnen: both parents), Bakker (Egeltjes).
    for parent in (eva, tom):
        assert await titles(gateway, parent, "/location/news") == ["Zomerfeest"]
        assert await titles(gateway, parent, "/location/newsletters") == ["Nieuwsbrief Dolfijnen"]
        assert await titles(gateway, parent, "/location/info-pages") == ["Openingstijden"]
        team = (await gateway.get("/api/v1/location/team", headers=parent)).json()["items"]
        assert [(m["name"], m["introduction"]) for m in team] == [("Sanne", "Ik werk sinds 2019 bij de Dolfijnen.")]
        observations = (await gateway.get(f"/api/v1/children/{w.children['noor']}/observations",
                                          headers=parent)).json()["items"]
        assert [o["observation_id"] for o in observations] == [observation]
        assert observations[0]["attachment"]["is_pdf"] is True
    assert await titles(gateway, ilse, "/location/news") == ["Zomerfeest"]
    assert await titles(gateway, ilse, "/location/newsletters") == []
    assert await titles(gateway, ilse, "/location/info-pages") == ["Openingstijden"]
    assert (await gateway.get("/api/v1/location/team", headers=ilse)).json()["items"] == []
    contact = (await gateway.get("/api/v1/location", headers=ilse)).json()["items"]
    assert [(c["name"], c["phone"], c["city"]) for c in contact] == [("Centrum", "030-1234567", "Utrecht")]
    item = (await gateway.get(f"/api/v1/location/items/{news['item_id']}", headers=ilse)).json()
    assert "script" not in item["body_html"] and "<strong>zomerfeest</strong>" in item["body_html"]
    assert item["attachments"][0]["is_pdf"] is True

    # Another family and another organisation: 404 on everything they were not addressed.
    other = await build_world(gateway)
    stranger = bearer(await logged_in(gateway, mailpit, other.parents["eva"][1]))
    hidden = [f"/api/v1/location/items/{letter['item_id']}",
              f"/api/v1/children/{w.children['noor']}/observations", f"/api/v1/observations/{observation}",
              f"/api/v1/observations/{observation}/attachment"]
    for path in hidden:
        assert (await gateway.get(path, headers=ilse)).status_code == 404, path
    for path in [*hidden, f"/api/v1/location/items/{news['item_id']}",
                 f"/api/v1/location/items/{news['item_id']}/attachments/{attachment['attachment_id']}"]:
        assert (await gateway.get(path, headers=stranger)).status_code == 404, path
    assert await titles(gateway, stranger, "/location/news") == []

    # Downloads: a signed URL after the check, for that one file.
    async with httpx.AsyncClient(timeout=30) as s3:
        for path, expected in (
            (f"/api/v1/location/items/{news['item_id']}/attachments/{attachment['attachment_id']}",
             pdf("Programma zomerfeest")),
            (f"/api/v1/observations/{observation}/attachment", pdf("Verslag")),
        ):
            signed = await gateway.get(path, headers=eva)
            assert signed.status_code == 200, signed.text
            fetched = await s3.get(signed.json()["url"])
            assert fetched.status_code == 200 and fetched.content == expected
            tampered = signed.json()["url"].replace("X-Amz-Signature=", "X-Amz-Signature=0")
            assert (await s3.get(tampered)).status_code == 403

    # Bad input: 4xx with a clear code, nothing stored.
    before = (await gateway.get("/api/v1/admin/location/items", params={"organisation_id": w.org},
                                headers=admin)).json()["items"]
    for body, status, code in (
        ({"body": "<script>only()</script>"}, 422, "empty_body"),
        ({"audience": "group", "audience_id": other.groups["dolfijnen"]}, 404, "not_found"),
        ({"title": ""}, 422, "validation_failed"),
    ):
        r = await gateway.post("/api/v1/admin/location/items", headers=admin, json={
            "organisation_id": w.org, "kind": "news", "title": "T", "body": "<p>x</p>", "audience": "organisation",
            "audience_id": w.org, **body})
        assert (r.status_code, r.json()["error"]["code"]) == (status, code), r.text
    refused = await attach(gateway, admin, news["item_id"], "brief.pdf", b"MZ not a pdf at all")
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "bad_type"
    r = await gateway.post("/api/v1/admin/location/items", headers=sanne, json={
        "organisation_id": w.org, "kind": "news", "title": "T", "body": "<p>x</p>", "audience": "group",
        "audience_id": w.groups["egeltjes"]})
    assert r.status_code == 403  # staff publish for their own groups only
    r = await gateway.post(f"/api/v1/children/{w.children['mila']}/observations", headers=sanne, json={
        "template_id": new_id(), "answers": {"q1": "x"}})
    assert r.status_code == 403  # Mila is not in Sanne's group
    after = (await gateway.get("/api/v1/admin/location/items", params={"organisation_id": w.org},
                               headers=admin)).json()["items"]
    assert [(i["item_id"], len(i["attachments"])) for i in after] == [
        (i["item_id"], len(i["attachments"])) for i in before]

    # Withdrawn news disappears for every family at once.
    r = await gateway.post(f"/api/v1/admin/location/items/{news['item_id']}/withdraw", headers=admin)
    assert r.status_code == 200
    assert await titles(gateway, eva, "/location/news") == []
    assert (await gateway.get(f"/api/v1/location/items/{news['item_id']}/attachments/{attachment['attachment_id']}",
                              headers=eva)).status_code == 404
