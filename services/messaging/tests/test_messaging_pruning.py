"""Pruning on real PostgreSQL and S3, driven by the settable app clock: uploads never confirmed (object and row)
and old idempotency keys go; sent messages and confirmed attachments stay, whatever their age."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from konnect_contracts.events import directory as ev
from konnect_devstack.pytest_plugin import apply_events, fetch_rows, internal_headers
from konnect_kit.media import DISPLAY, ORIGINAL, UPLOAD, object_key, samples
from messaging.handlers.directory import HANDLERS


async def upload(client: Any, who: dict[str, str], name: str, data: bytes | None, *, confirm: bool) -> str:
    """Start an upload; post `data` to S3 (unless None) and confirm it when asked. Returns the attachment id."""
    started = await client.post("/message-attachments", json={"file_name": name}, headers=who)
    assert started.status_code == 201, started.text
    form = started.json()["upload"]
    if data is not None:
        async with httpx.AsyncClient(timeout=30) as s3:
            sent = await s3.post(form["url"], data=form["fields"], files={"file": (name, data)})
        assert sent.status_code in (200, 201, 204), sent.text
    if confirm:
        confirmed = await client.post(f"/message-attachments/{started.json()['attachment_id']}/confirm", headers=who)
        assert confirmed.status_code == 200, confirmed.text
    return started.json()["attachment_id"]


async def test_uploads_never_confirmed_and_old_keys_are_pruned_sent_messages_and_confirmed_ones_stay(messaging):
    org, family, child, group, anne = (uuid.uuid4() for _ in range(5))
    c = {"organisation_id": org, "version": 1}
    await apply_events(
        messaging.app, HANDLERS,
        ev.GroupUpserted(**c, group_id=group, location_id=uuid.uuid4(), name="Dolfijnen"),
        ev.ParentUpserted(**c, account_id=anne, family_id=family, name="Anne", email="anne@x.test"),
        ev.ChildUpserted(**c, child_id=child, family_id=family, first_name="Sem", last_name="Jansen",
                         birth_date=date(2023, 1, 1)),
        ev.PlacementUpserted(**c, placement_id=uuid.uuid4(), child_id=child, family_id=family, group_id=group,
                             care_type="day_care", starts_on=date(2024, 1, 1)))
    who = internal_headers("parent", str(anne), str(org))
    clock, worker = messaging.app.state.clock, messaging.app.state.pruning
    store = messaging.app.state.media.store
    clock.set(datetime.now(UTC))

    never_sent = await upload(messaging, who, "leeg.jpg", None, confirm=False)
    never_confirmed = await upload(messaging, who, "half.jpg", samples.jpeg_with_gps(300, 200), confirm=False)
    sent = await upload(messaging, who, "sem.jpg", samples.jpeg_with_gps(300, 200), confirm=True)
    kept = await upload(messaging, who, "later.jpg", samples.jpeg_with_gps(300, 200), confirm=True)
    started = await messaging.post("/conversations", headers={**who, "Idempotency-Key": "k-1"}, json={
        "child_id": str(child), "subject": "Slaapje", "text": "Sem sliep slecht.", "attachment_ids": [sent]})
    assert started.status_code == 201, started.text
    conversation = started.json()["conversation_id"]

    async def bases() -> dict[str, str]:
        rows = await fetch_rows(messaging.database_url,
                                "SELECT attachment_id::text AS id, media_base FROM message_attachments")
        return {r["id"]: r["media_base"] for r in rows}

    base = await bases()
    assert await store.size(object_key(base[never_confirmed], UPLOAD))  # the file is in S3, unconfirmed

    # Within the 15 minutes to confirm (and the hour of margin after them): nothing goes.
    clock.advance(timedelta(minutes=30))
    await worker.drain()
    assert set(await bases()) == {never_sent, never_confirmed, sent, kept}

    clock.advance(timedelta(hours=2))
    await worker.drain()
    assert set(await bases()) == {sent, kept}  # the two never confirmed are gone, rows and objects
    assert await store.size(object_key(base[never_confirmed], UPLOAD)) is None
    late = await messaging.post(f"/message-attachments/{never_confirmed}/confirm", headers=who)
    assert late.status_code == 404
    # The retry memory is still there a few hours on: the same key answers the same conversation.
    retry = await messaging.post("/conversations", headers={**who, "Idempotency-Key": "k-1"}, json={
        "child_id": str(child), "subject": "Slaapje", "text": "Sem sliep slecht.", "attachment_ids": [sent]})
    assert retry.status_code == 201 and retry.json()["conversation_id"] == conversation

    clock.advance(timedelta(days=8))
    await worker.drain()
    assert await fetch_rows(messaging.database_url, "SELECT * FROM sent_requests") == []
    assert worker.pruned_uploads == 2 and worker.pruned_keys == 1
    # A year on: the message, its photo and the confirmed but unsent attachment are all still there.
    clock.advance(timedelta(days=365))
    await worker.drain()
    assert set(await bases()) == {sent, kept}
    opened = await messaging.get(f"/conversations/{conversation}", headers=who)
    [message] = opened.json()["messages"]
    assert message["text"] == "Sem sliep slecht." and [a["attachment_id"] for a in message["attachments"]] == [sent]
    link = await messaging.get(f"/conversations/{conversation}/attachments/{sent}", headers=who)
    assert link.status_code == 200, link.text
    async with httpx.AsyncClient(timeout=30) as s3:
        assert (await s3.get(link.json()["url"])).status_code == 200
    assert await store.size(object_key(base[kept], ORIGINAL)) and await store.size(object_key(base[kept], DISPLAY))
