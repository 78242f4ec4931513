"""My location content built through the gateway: a news item with a PDF, an observation with one, as staff do."""

import uuid

import httpx
from konnect_devstack.pytest_plugin import eventually
from konnect_kit.media.sample_documents import pdf


async def upload(form: dict, name: str, data: bytes) -> None:
    """What an app does with the presigned form: post the file straight to S3."""
    async with httpx.AsyncClient(timeout=30) as s3:
        sent = await s3.post(form["url"], data=form["fields"], files={"file": (name, data)})
        assert sent.status_code in (200, 201, 204), sent.text


async def timeline_knows_team(gateway: httpx.AsyncClient, parent: dict, staff_name: str) -> None:
    """Timeline learns the directory from identity's events: wait until the parent's team lists the staff member."""
    async def known() -> bool:
        r = await gateway.get("/api/v1/location/team", headers=parent)
        return r.status_code == 200 and staff_name in [m["name"] for m in r.json()["items"]]

    await eventually(known, timeout=45)


async def publish(gateway: httpx.AsyncClient, headers: dict, org: str, kind: str, title: str, audience: str,
                  audience_id: str, body: str = "<p>Tekst</p>") -> dict:
    r = await gateway.post("/api/v1/admin/location/items", headers=headers, json={
        "organisation_id": org, "kind": kind, "title": title, "body": body, "audience": audience,
        "audience_id": audience_id})
    assert r.status_code == 201, r.text
    return r.json()


async def attach(gateway: httpx.AsyncClient, headers: dict, item_id: str, name: str, data: bytes) -> httpx.Response:
    started = await gateway.post(f"/api/v1/admin/location/items/{item_id}/attachments", headers=headers,
                                 json={"file_name": name})
    assert started.status_code == 201, started.text
    await upload(started.json(), name, data)
    return await gateway.post(f"/api/v1/admin/location/items/{item_id}/attachments/"
                              f"{started.json()['attachment_id']}/confirm", headers=headers)


async def observe(gateway: httpx.AsyncClient, admin: dict, staff: dict, org: str, child_id: str,
                  with_pdf: bool = True) -> tuple[str, str]:
    """A template (admin) and an observation about the child shared by staff, with a PDF; (template, observation)."""
    template = str(uuid.uuid4())
    r = await gateway.put(f"/api/v1/admin/observation-templates/{template}", headers=admin, json={
        "organisation_id": org, "title": "Welbevinden", "questions": [
            {"question_id": "q1", "text": "Hoe speelt het kind?"}, {"question_id": "q2", "text": "Hoe praat het?"}]})
    assert r.status_code == 200, r.text
    shared = await gateway.post(f"/api/v1/children/{child_id}/observations", headers=staff, json={
        "template_id": template, "answers": {"q1": "Bouwt graag torens.", "q2": "Korte zinnetjes."}})
    assert shared.status_code == 201, shared.text
    observation = shared.json()["observation_id"]
    if with_pdf:
        started = await gateway.post(f"/api/v1/observations/{observation}/attachment", headers=staff,
                                     json={"file_name": "verslag.pdf"})
        assert started.status_code == 201, started.text
        await upload(started.json(), "verslag.pdf", pdf("Verslag"))
        confirmed = await gateway.post(f"/api/v1/observations/{observation}/attachment/confirm", headers=staff)
        assert confirmed.status_code == 200, confirmed.text
    return template, observation


async def location_content(gateway: httpx.AsyncClient, org: str, admin: dict, staff: dict, parent: dict,
                           staff_name: str, child_id: str) -> dict[str, str]:
    """One organisation's My location ids an attacker could aim at: an item with a PDF, a template, an observation."""
    await timeline_knows_team(gateway, parent, staff_name)
    item = await publish(gateway, admin, org, "news", "Zomerfeest", "organisation", org)
    confirmed = await attach(gateway, admin, item["item_id"], "programma.pdf", pdf("Programma"))
    assert confirmed.status_code == 200, confirmed.text
    template, observation = await observe(gateway, admin, staff, org, child_id)
    return {"item_id": item["item_id"], "attachment_id": confirmed.json()["attachments"][0]["attachment_id"],
            "template_id": template, "observation_id": observation}
