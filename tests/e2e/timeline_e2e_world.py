"""Timeline content built through the gateway as an app would: uploads straight to S3, confirm, post, diary."""

import httpx
from konnect_devstack.pytest_plugin import eventually
from konnect_kit.media import samples


async def upload(gateway: httpx.AsyncClient, headers: dict, data: bytes, name: str = "IMG_0001.JPG") -> httpx.Response:
    """Start an upload, post the file to S3 with the presigned form, confirm it; the confirm answer."""
    started = await gateway.post("/api/v1/timeline/uploads", headers=headers)
    assert started.status_code == 201, started.text
    form = started.json()
    async with httpx.AsyncClient(timeout=60) as s3:
        sent = await s3.post(form["url"], data=form["fields"], files={"file": (name, data)})
        assert sent.status_code in (200, 201, 204), sent.text
    confirmed = await gateway.post(f"/api/v1/timeline/uploads/{form['upload_id']}/confirm", headers=headers)
    confirmed.upload_id = form["upload_id"]  # type: ignore[attr-defined]
    if confirmed.status_code == 200:
        await processed(gateway, headers, form["upload_id"])
    return confirmed


async def processed(gateway: httpx.AsyncClient, headers: dict, upload_id: str) -> dict:
    """The upload once timeline's processing step is done with it (ready or failed): families see a photo only
    then, so tests that look at feeds right after posting wait for it here."""
    async def done() -> dict | None:
        r = await gateway.get(f"/api/v1/timeline/uploads/{upload_id}", headers=headers)
        assert r.status_code == 200, r.text
        return r.json() if r.json()["status"] in ("ready", "failed") else None
    return await eventually(done, timeout=60, interval=0.2)


async def post_series(gateway: httpx.AsyncClient, staff: dict, group_id: str, photos: list[list[str]],
                      caption: str = "Buiten spelen", files: list[bytes] | None = None) -> httpx.Response:
    """One series: photo i tags the children photos[i] (files[i], or a generated JPEG with GPS tags)."""
    items = []
    for i, children in enumerate(photos):
        data = files[i] if files else samples.jpeg_with_gps(640, 480, label=f"photo {i}")
        confirmed = await upload(gateway, staff, data)
        assert confirmed.status_code == 200, confirmed.text
        items.append({"upload_id": confirmed.json()["upload_id"], "child_ids": children})
    return await gateway.post("/api/v1/timeline/series", headers=staff,
                              json={"group_id": group_id, "caption": caption, "photos": items})


async def post_when_timeline_knows(gateway: httpx.AsyncClient, staff: dict, group_id: str,
                                   photos: list[list[str]], **kwargs) -> dict:
    """Timeline learns staff, groups and placements from identity's events: retry until it knows them."""
    async def attempt() -> dict | None:
        r = await post_series(gateway, staff, group_id, photos, **kwargs)
        if r.status_code in (403, 404, 422):  # not yet known: not your group / no such group / not in group
            return None
        assert r.status_code == 201, r.text
        return r.json()

    return await eventually(attempt, timeout=45, interval=0.5)


async def timeline_content(gateway: httpx.AsyncClient, staff: dict, group_id: str, child_id: str) -> dict[str, str]:
    """One organisation's timeline ids an attacker could aim at: a series, a photo, a diary entry, an upload."""
    posted = await post_when_timeline_knows(gateway, staff, group_id, [[child_id]])
    entry = await gateway.post(f"/api/v1/timeline/children/{child_id}/diary", headers=staff,
                               json={"text": "Vandaag veel buiten gespeeld."})
    assert entry.status_code == 201, entry.text
    spare = await upload(gateway, staff, samples.jpeg_with_gps(200, 150))
    assert spare.status_code == 200, spare.text
    return {"series_id": posted["series_id"], "photo_id": posted["photos"][0]["photo_id"],
            "entry_id": entry.json()["entry_id"], "upload_id": spare.json()["upload_id"]}
