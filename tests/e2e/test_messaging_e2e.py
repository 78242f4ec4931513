"""Messaging through the gateway on real infrastructure: who sees a conversation, read state per account, a
message to a whole group, idempotent sending, messages that nothing can change, and directory changes."""

import asyncio
import uuid
from datetime import date, timedelta

import asyncpg
import httpx
import pytest
from e2e_world import OPERATOR, new_id, put
from kafka_tools import events_of_organisation
from konnect_contracts.events.messaging import MessageSent
from konnect_devstack.pytest_plugin import eventually
from konnect_kit.media.samples import has_gps, jpeg_with_gps
from messaging_world import MessagingWorld, build_messaging_world, messaging_caught_up
from sqlalchemy.engine import make_url

MESSAGES_TOPIC = MessageSent.TOPIC


async def listing(gateway: httpx.AsyncClient, w: MessagingWorld, person: str) -> dict:
    r = await gateway.get("/api/v1/conversations", headers=w.as_(person))
    assert r.status_code == 200, r.text
    return r.json()


def item(listed: dict, conversation_id: str) -> dict | None:
    return next((c for c in listed["items"] if c["conversation_id"] == conversation_id), None)


async def start(gateway: httpx.AsyncClient, w: MessagingWorld, person: str, body: dict, key: str | None = None) -> dict:
    headers = {**w.as_(person), **({"Idempotency-Key": key} if key else {})}
    r = await gateway.post("/api/v1/conversations", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


async def upload(gateway: httpx.AsyncClient, w: MessagingWorld, person: str, name: str, data: bytes) -> httpx.Response:
    """Start an upload, post the file straight to S3 with the presigned form, confirm it (answer returned)."""
    started = await gateway.post("/api/v1/message-attachments", json={"file_name": name}, headers=w.as_(person))
    assert started.status_code == 201, started.text
    form = started.json()["upload"]
    async with httpx.AsyncClient(timeout=30) as s3:
        sent = await s3.post(form["url"], data=form["fields"], files={"file": (name, data)})
    assert sent.status_code in (200, 201, 204), sent.text
    attachment = started.json()["attachment_id"]
    return await gateway.post(f"/api/v1/message-attachments/{attachment}/confirm", headers=w.as_(person))


async def sent_events(infra, w: MessagingWorld) -> list[dict]:
    records = await events_of_organisation(infra.endpoints.kafka, [MESSAGES_TOPIC], w.org)
    from konnect_contracts.envelope import Envelope

    return [Envelope.from_bytes(r.value).payload for r in records]


@pytest.fixture
async def world(gateway, mailpit, infra) -> MessagingWorld:
    return await build_messaging_world(gateway, mailpit, infra.endpoints.kafka)


async def test_anne_writes_about_sem_staff_and_mark_see_it_unread_another_family_gets_404(gateway, world, infra,
                                                                                          mailpit):
    w = world
    photo = await upload(gateway, w, "anne", "sem-slaapt.jpg", jpeg_with_gps())
    assert photo.status_code == 200, photo.text
    assert photo.json()["content_type"] == "image/jpeg"
    started = await start(gateway, w, "anne", {"child_id": w.children["sem"], "subject": "Slaapje",
                                               "text": "Sem heeft vannacht slecht geslapen.",
                                               "attachment_ids": [photo.json()["attachment_id"]]}, key=new_id())
    cid = started["conversation_id"]
    assert started["group_id"] == w.groups["dolfijnen"] and started["child_id"] == w.children["sem"]
    [first] = started["messages"]
    assert first["sender_name"] == "Anne" and first["sender_role"] == "parent" and first["sent_at"]
    [attached] = first["attachments"]
    assert attached["file_name"] == "sem-slaapt.jpg" and attached["content_type"] == "image/jpeg"
    download = f"/api/v1/conversations/{cid}/attachments/{attached['attachment_id']}"

    # Dolfijnen's staff, Sem's mentor, the admin and Mark see it with one unread; Anne (the writer) none.
    for person in ("joyce", "pieter", "admin", "mark"):
        listed = await listing(gateway, w, person)
        found = item(listed, cid)
        assert found and found["unread"] == 1 and listed["unread_total"] == 1, (person, listed)
        assert found["preview"] == "Sem heeft vannacht slecht geslapen." and found["last_sender_name"] == "Anne"
    assert item(await listing(gateway, w, "anne"), cid)["unread"] == 0
    # The photo: a short-lived URL for Mark and the staff, without the GPS position it was taken with.
    for person in ("mark", "joyce"):
        link = await gateway.get(download, headers=w.as_(person))
        assert link.status_code == 200, link.text
        async with httpx.AsyncClient(timeout=30) as s3:
            fetched = await s3.get(link.json()["url"])
        assert fetched.status_code == 200 and fetched.content[:3] == b"\xff\xd8\xff" and not has_gps(fetched.content)
    thumbnail = await gateway.get(download, params={"variant": "thumbnail"}, headers=w.as_("mark"))
    assert thumbnail.status_code == 200 and thumbnail.json()["content_type"] == "image/jpeg"
    # Another family (Eva and Thomas) and its mother Ilse: not in their list, 404 to open, write or download.
    for person in ("eva", "thomas", "ilse"):
        assert (await gateway.get(download, headers=w.as_(person))).status_code == 404
        assert item(await listing(gateway, w, person), cid) is None
        r = await gateway.get(f"/api/v1/conversations/{cid}", headers=w.as_(person))
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
        r = await gateway.post(f"/api/v1/conversations/{cid}/messages", json={"text": "Hallo?"}, headers=w.as_(person))
        assert r.status_code == 404

    # Joyce opens it: read for her only; Mark still has one unread.
    opened = await gateway.get(f"/api/v1/conversations/{cid}", headers=w.as_("joyce"))
    # Opening shows the message as its writer got it back, attachment included (the read path and the answer to
    # starting a conversation run the same statement on different connections).
    assert opened.status_code == 200 and opened.json()["messages"] == [first], opened.text
    assert item(await listing(gateway, w, "joyce"), cid)["unread"] == 0
    assert item(await listing(gateway, w, "mark"), cid)["unread"] == 1

    # Mark wants no e-mail about messages (the app's inbox only); Anne keeps the default (e-mail at once).
    r = await gateway.put("/api/v1/notification-settings", headers=w.as_("mark"), json={
        "items": [{"kind": "message_sent", "email": False, "push": False}]})
    assert r.status_code == 200, r.text
    # Joyce replies: Anne and Mark see it (unread), and the event names them as recipients, not Joyce.
    r = await gateway.post(f"/api/v1/conversations/{cid}/messages", headers=w.as_("joyce"),
                           json={"text": "Dank je, we laten hem vanmiddag wat langer slapen."})
    assert r.status_code == 201, r.text
    reply = r.json()
    assert reply["sender_role"] == "staff" and reply["sender_name"] == "Joyce"
    assert item(await listing(gateway, w, "anne"), cid)["unread"] == 1
    mark = await listing(gateway, w, "mark")
    assert item(mark, cid)["unread"] == 2 and item(mark, cid)["last_sender_name"] == "Joyce"
    opened = (await gateway.get(f"/api/v1/conversations/{cid}", headers=w.as_("mark"))).json()
    assert [(m["sender_name"], m["sender_role"]) for m in opened["messages"]] == [("Anne", "parent"),
                                                                                   ("Joyce", "staff")]
    assert item(await listing(gateway, w, "mark"), cid)["unread"] == 0

    async def reply_event() -> dict | None:
        return next((e for e in await sent_events(infra, w) if e["message_id"] == reply["message_id"]), None)

    event = await eventually(reply_event, timeout=20)
    recipients = set(event["recipient_account_ids"])
    assert {w.account("anne"), w.account("mark")} <= recipients
    assert w.account("joyce") not in recipients and w.account("eva") not in recipients
    assert event["sender_role"] == "staff" and event["child_id"] == w.children["sem"]
    assert event["preview"].startswith("Dank je") and event["family_id"] == w.families["jansen"]
    assert w.account("admin") not in recipients  # an admin reads along but is not told of what it did not join

    # Notified per their settings: Anne by e-mail (Dutch) and in her inbox; Mark in his inbox only (English).
    anne_mail, mark_mail = w.parents["anne"][1], w.parents["mark"][1]
    await eventually(lambda: mailpit.count(anne_mail, "Nieuw bericht van Joyce"), timeout=30)
    for person, text in (("anne", "Nieuw bericht van Joyce: Slaapje"), ("mark", "new messages from Joyce: Slaapje")):
        async def told(person: str = person, text: str = text) -> bool:
            inbox = (await gateway.get("/api/v1/inbox", headers=w.as_(person))).json()["items"]
            return any(i["link"].endswith(cid) and text in i["text"] for i in inbox)

        await eventually(told, timeout=30)
    await asyncio.sleep(1)  # one event fans out to both at once: a mail to Mark would be there by now
    assert mailpit.count(mark_mail, "Joyce") == 0
    # The sender is not told of her own message.
    joyce_inbox = (await gateway.get("/api/v1/inbox", headers=w.as_("joyce"))).json()["items"]
    assert not [i for i in joyce_inbox if "Joyce" in i["text"]]


async def test_a_message_to_the_whole_group_gives_each_family_its_own_conversation(gateway, world):
    w = world
    r = await gateway.post("/api/v1/group-messages", headers=w.as_("joyce"), json={
        "group_id": w.groups["dolfijnen"], "subject": "Uitje vrijdag",
        "text": "Vrijdag gaan we naar de kinderboerderij."})
    assert r.status_code == 201, r.text
    conversations = r.json()["conversation_ids"]
    assert len(conversations) == 3  # Jansen, De Vries, Bakker
    own = {}
    for person in ("anne", "mark", "eva", "thomas", "ilse"):
        mine = [c for c in (await listing(gateway, w, person))["items"] if c["conversation_id"] in conversations]
        assert len(mine) == 1 and mine[0]["unread"] == 1 and mine[0]["subject"] == "Uitje vrijdag", person
        own[person] = mine[0]["conversation_id"]
    assert own["anne"] == own["mark"] and own["eva"] == own["thomas"] and len(set(own.values())) == 3
    # Ilse answers: the staff see it; the other families cannot open her family's conversation.
    r = await gateway.post(f"/api/v1/conversations/{own['ilse']}/messages", headers=w.as_("ilse"),
                           json={"text": "Mila neemt laarzen mee."})
    assert r.status_code == 201, r.text
    staff_view = item(await listing(gateway, w, "joyce"), own["ilse"])
    assert staff_view["unread"] == 1 and staff_view["preview"] == "Mila neemt laarzen mee."
    for person in ("anne", "eva"):
        assert (await gateway.get(f"/api/v1/conversations/{own['ilse']}", headers=w.as_(person))).status_code == 404
        theirs = (await gateway.get(f"/api/v1/conversations/{own[person]}", headers=w.as_(person))).json()
        assert [m["text"] for m in theirs["messages"]] == ["Vrijdag gaan we naar de kinderboerderij."]
    # Separated parents: Eva read it (just now), Thomas has not.
    assert item(await listing(gateway, w, "eva"), own["eva"])["unread"] == 0
    thomas = await listing(gateway, w, "thomas")
    assert item(thomas, own["thomas"])["unread"] == 1 and thomas["unread_total"] == 1
    # Pieter works in Vlinders: the group message is not his (he is only Sem's mentor).
    assert item(await listing(gateway, w, "pieter"), own["anne"]) is None
    # Parents cannot write to a whole group; staff of another group cannot either.
    for person in ("anne", "pieter"):
        r = await gateway.post("/api/v1/group-messages", headers=w.as_(person), json={
            "group_id": w.groups["dolfijnen"], "subject": "X", "text": "Y"})
        assert r.status_code == 404, (person, r.text)


async def test_sending_twice_with_one_idempotency_key_sends_once(gateway, world, infra):
    w = world
    cid = (await start(gateway, w, "eva", {"child_id": w.children["lotte"], "subject": "Ophalen",
                                           "text": "Opa haalt Lotte vandaag op."}))["conversation_id"]
    key = new_id()

    async def send() -> httpx.Response:
        return await gateway.post(f"/api/v1/conversations/{cid}/messages", json={"text": "Om 17:00."},
                                  headers={**w.as_("thomas"), "Idempotency-Key": key})

    answers = await asyncio.gather(send(), send(), send())
    assert [a.status_code for a in answers] == [201, 201, 201], [a.text for a in answers]
    assert len({a.json()["message_id"] for a in answers}) == 1
    opened = (await gateway.get(f"/api/v1/conversations/{cid}", headers=w.as_("joyce"))).json()
    assert [m["text"] for m in opened["messages"]] == ["Opa haalt Lotte vandaag op.", "Om 17:00."]
    # The same key for another text is a mistake of the client, not a retry.
    other = await gateway.post(f"/api/v1/conversations/{cid}/messages", json={"text": "Om 18:00."},
                               headers={**w.as_("thomas"), "Idempotency-Key": key})
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"
    # Starting a conversation twice at once with one key: one conversation.
    body, start_key = {"child_id": w.children["lotte"], "subject": "Luiers", "text": "Graag nieuwe luiers."}, new_id()
    starts = await asyncio.gather(*(gateway.post("/api/v1/conversations", json=body, headers={
        **w.as_("eva"), "Idempotency-Key": start_key}) for _ in range(3)))
    assert {s.status_code for s in starts} == {201} and len({s.json()["conversation_id"] for s in starts}) == 1
    subjects = [c["subject"] for c in (await listing(gateway, w, "eva"))["items"]]
    assert subjects.count("Luiers") == 1
    # A late retry answers the conversation as it is now, and reads nothing for Eva.
    luiers = starts[0].json()["conversation_id"]
    r = await gateway.post(f"/api/v1/conversations/{luiers}/messages", json={"text": "Komt goed."},
                           headers=w.as_("joyce"))
    assert r.status_code == 201
    late = await gateway.post("/api/v1/conversations", json=body,
                              headers={**w.as_("eva"), "Idempotency-Key": start_key})
    assert late.status_code == 201 and late.json()["conversation_id"] == luiers
    assert [m["text"] for m in late.json()["messages"]] == ["Graag nieuwe luiers.", "Komt goed."]
    assert item(await listing(gateway, w, "eva"), luiers)["unread"] == 1

    message_id = answers[0].json()["message_id"]

    async def events_of_message() -> list[dict] | None:
        found = [e for e in await sent_events(infra, w) if e["message_id"] == message_id]
        return found or None

    await eventually(events_of_message, timeout=20)
    await asyncio.sleep(1)  # a second event would have been written in the same transaction as a second message
    assert len(await events_of_message() or []) == 1


async def test_no_route_and_no_sql_changes_or_removes_a_sent_message(gateway, world, stack):
    w = world
    started = await start(gateway, w, "anne", {"child_id": w.children["sem"], "subject": "Medicijn",
                                               "text": "Sem krijgt om 12:00 zijn medicijn."})
    cid, mid = started["conversation_id"], started["messages"][0]["message_id"]
    attempts = [(method, path) for method in ("PUT", "PATCH", "DELETE") for path in (
        f"/api/v1/conversations/{cid}/messages/{mid}", f"/api/v1/conversations/{cid}/messages",
        f"/api/v1/conversations/{cid}", f"/api/v1/messages/{mid}")]
    for person in ("anne", "joyce", "admin"):
        for method, path in attempts:
            r = await gateway.request(method, path, json={"text": "Sem krijgt geen medicijn."},
                                      headers=w.as_(person))
            assert r.status_code in (404, 405), (person, method, path, r.status_code)
    for method, path in attempts:
        r = await gateway.request(method, path, json={"text": "x"}, headers=OPERATOR)
        assert r.status_code in (403, 404, 405), (method, path, r.status_code)

    # The database refuses it too, for the very user the service connects as.
    url = make_url(stack.infra.database_url("konnect_messaging")).set(drivername="postgresql")
    conn = await asyncpg.connect(url.render_as_string(hide_password=False))
    try:
        user = await conn.fetchval("SELECT current_user")
        for statement in ("UPDATE messages SET body = 'Sem krijgt geen medicijn.' WHERE message_id = $1",
                          "DELETE FROM messages WHERE message_id = $1"):
            with pytest.raises(asyncpg.PostgresError) as refused:
                await conn.execute(statement, uuid.UUID(mid))
            assert "immutable" in str(refused.value) or "permission denied" in str(refused.value), user
        with pytest.raises(asyncpg.PostgresError):
            await conn.execute("TRUNCATE messages CASCADE")
        body = await conn.fetchval("SELECT body FROM messages WHERE message_id = $1", uuid.UUID(mid))
    finally:
        await conn.close()
    assert body == "Sem krijgt om 12:00 zijn medicijn."
    opened = (await gateway.get(f"/api/v1/conversations/{cid}", headers=w.as_("mark"))).json()
    assert [m["text"] for m in opened["messages"]] == ["Sem krijgt om 12:00 zijn medicijn."]


async def test_bad_input_is_refused_and_nothing_is_stored(gateway, world):
    w = world
    before = await listing(gateway, w, "anne")
    # An attachment that is not what it claims: refused when confirmed, and nothing can name it afterwards.
    fake = await upload(gateway, w, "anne", "foto.jpg", b"%PDF-1.4 not a photo at all" + b"x" * 200)
    assert fake.status_code == 422, fake.text
    garbage = await upload(gateway, w, "anne", "scan.pdf", b"MZ\x90\x00 an executable" + b"\x00" * 300)
    assert garbage.status_code == 422 and garbage.json()["error"]["message"]
    # Too large: a PDF over its 20 MB limit is refused when checked; over the upload's 25 MB S3 refuses the body
    # itself, and confirming then finds nothing.
    big_pdf = await upload(gateway, w, "anne", "scan.pdf", b"%PDF-1.4\n" + b"0" * (21 * 1024 * 1024))
    assert big_pdf.status_code == 422 and big_pdf.json()["error"]["code"] == "too_large", big_pdf.text
    started = (await gateway.post("/api/v1/message-attachments", json={"file_name": "huge.pdf"},
                                  headers=w.as_("anne"))).json()
    form = started["upload"]
    async with httpx.AsyncClient(timeout=60) as s3:
        sent = await s3.post(form["url"], data=form["fields"],
                             files={"file": ("huge.pdf", b"%PDF-1.4\n" + b"0" * (form["max_bytes"] + 1))})
    assert sent.status_code >= 400, sent.status_code
    huge = await gateway.post(f"/api/v1/message-attachments/{started['attachment_id']}/confirm", headers=w.as_("anne"))
    assert huge.status_code == 422 and huge.json()["error"]["code"] == "not_uploaded", huge.text
    ilse = await upload(gateway, w, "ilse", "mila.jpg", jpeg_with_gps(400, 300))
    ilse_photo = ilse.json()["attachment_id"]
    r = await gateway.post(f"/api/v1/message-attachments/{ilse_photo}/confirm", headers=w.as_("anne"))
    assert r.status_code == 404
    bad_name = await gateway.post("/api/v1/message-attachments", json={"file_name": 'a"b.jpg'}, headers=w.as_("anne"))
    assert bad_name.status_code == 422
    cases = {
        "another family's child": ({"child_id": w.children["lotte"], "subject": "S", "text": "T"}, 404),
        "unknown child": ({"child_id": new_id(), "subject": "S", "text": "T"}, 404),
        "group the child is not in": ({"child_id": w.children["sem"], "group_id": w.groups["vlinders"],
                                       "subject": "S", "text": "T"}, 422),
        "empty text": ({"child_id": w.children["sem"], "subject": "S", "text": "   "}, 422),
        "oversized text": ({"child_id": w.children["sem"], "subject": "S", "text": "x" * 5001}, 422),
        "empty subject": ({"child_id": w.children["sem"], "subject": "", "text": "T"}, 422),
        "unknown attachment": ({"child_id": w.children["sem"], "subject": "S", "text": "T",
                                "attachment_ids": [new_id()]}, 422),
        "someone else's attachment": ({"child_id": w.children["sem"], "subject": "S", "text": "T",
                                       "attachment_ids": [ilse_photo]}, 422),
    }
    for name, (body, status) in cases.items():
        r = await gateway.post("/api/v1/conversations", json=body, headers=w.as_("anne"))
        assert r.status_code == status, (name, r.status_code, r.text)
        assert r.json()["error"]["message"], name
    assert await listing(gateway, w, "anne") == before
    r = await gateway.post(f"/api/v1/conversations/{new_id()}/messages", json={"text": "T"}, headers=w.as_("anne"))
    assert r.status_code == 404
    r = await gateway.get("/api/v1/conversations", params={"before": "0"}, headers=w.as_("anne"))
    assert r.status_code == 422


async def test_directory_changes_decide_who_reads_from_then_on_without_rewriting_history(gateway, world, infra):
    w = world
    about_lotte = (await start(gateway, w, "eva", {"child_id": w.children["lotte"], "subject": "Verhuizing",
                                                   "text": "Lotte gaat naar de Vlinders."}))["conversation_id"]
    about_sem = (await start(gateway, w, "anne", {"child_id": w.children["sem"], "subject": "Tandjes",
                                                  "text": "Sem krijgt tandjes."}))["conversation_id"]
    assert item(await listing(gateway, w, "joyce"), about_lotte) is not None
    assert item(await listing(gateway, w, "pieter"), about_lotte) is None

    # Lotte moves from Dolfijnen to Vlinders: Joyce loses the conversation, Pieter (Vlinders) gets it.
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    await put(gateway, f"/admin/directory/placements/{w.placements['lotte']}", {
        "organisation_id": w.org, "child_id": w.children["lotte"], "group_id": w.groups["dolfijnen"],
        "care_type": "day_care", "starts_on": (date.today() - timedelta(days=30)).isoformat(), "ends_on": yesterday})
    await put(gateway, f"/admin/directory/placements/{new_id()}", {
        "organisation_id": w.org, "child_id": w.children["lotte"], "group_id": w.groups["vlinders"],
        "care_type": "day_care", "starts_on": date.today().isoformat()})
    # Thomas no longer belongs to the family (moved to a family of his own).
    own_family = new_id()
    await put(gateway, f"/admin/directory/families/{own_family}", {"organisation_id": w.org, "name": "Thomas"})
    await put(gateway, f"/admin/directory/parents/{w.account('thomas')}", {
        "organisation_id": w.org, "family_id": own_family, "name": "Thomas", "email": w.parents["thomas"][1]})
    # Joyce leaves Dolfijnen (no group any more).
    await put(gateway, f"/admin/directory/staff/{w.account('joyce')}", {
        "organisation_id": w.org, "name": "Joyce", "email": w.staff["joyce"][1], "group_ids": []})
    await messaging_caught_up(infra.endpoints.kafka)

    for person, conversation in (("joyce", about_lotte), ("joyce", about_sem), ("thomas", about_lotte)):
        assert (await gateway.get(f"/api/v1/conversations/{conversation}", headers=w.as_(person))).status_code == 404
        r = await gateway.post(f"/api/v1/conversations/{conversation}/messages", json={"text": "Nog één ding"},
                               headers=w.as_(person))
        assert r.status_code == 404, (person, r.text)
        assert item(await listing(gateway, w, person), conversation) is None
    pieter = await gateway.get(f"/api/v1/conversations/{about_lotte}", headers=w.as_("pieter"))
    assert pieter.status_code == 200 and [m["text"] for m in pieter.json()["messages"]] == [
        "Lotte gaat naar de Vlinders."]  # history unchanged, now readable by the new group's staff
    r = await gateway.post(f"/api/v1/conversations/{about_lotte}/messages", json={"text": "Welkom bij de Vlinders!"},
                           headers=w.as_("pieter"))
    assert r.status_code == 201
    assert item(await listing(gateway, w, "eva"), about_lotte)["unread"] == 1
    assert (await gateway.get(f"/api/v1/conversations/{about_sem}", headers=w.as_("pieter"))).status_code == 200


async def test_long_conversations_page_by_cursor(gateway, world):
    w = world
    started = await start(gateway, w, "ilse", {"child_id": w.children["mila"], "subject": "Dagboek",
                                               "text": "bericht 0"})
    cid, sent = started["conversation_id"], started["messages"]
    for n in range(1, 12):
        r = await gateway.post(f"/api/v1/conversations/{cid}/messages", json={"text": f"bericht {n}"},
                               headers=w.as_("joyce" if n % 2 else "ilse"))
        assert r.status_code == 201
        sent.append(r.json())
    paged, before = [], None
    while True:
        params = {"limit": 5, **({"before": before} if before else {})}
        page = (await gateway.get(f"/api/v1/conversations/{cid}", params=params, headers=w.as_("admin"))).json()
        paged = page["messages"] + paged
        before = page["older_cursor"]
        if before is None:
            break
    assert [m["text"] for m in paged] == [f"bericht {n}" for n in range(12)]
    assert paged == sent  # each message on its page exactly as its sender was answered (ids, names, times)
    # The list pages too, newest activity first.
    for n in range(3):
        await start(gateway, w, "ilse", {"child_id": w.children["mila"], "subject": f"Onderwerp {n}", "text": "t"})
    first = (await gateway.get("/api/v1/conversations", params={"limit": 2}, headers=w.as_("ilse"))).json()
    assert [c["subject"] for c in first["items"]] == ["Onderwerp 2", "Onderwerp 1"]
    rest = (await gateway.get("/api/v1/conversations", params={"limit": 2, "before": first["next_cursor"]},
                              headers=w.as_("ilse"))).json()
    assert [c["subject"] for c in rest["items"]] == ["Onderwerp 0", "Dagboek"] and rest["next_cursor"] is None


async def test_an_admin_outside_the_group_reads_everything_and_hears_replies_to_what_they_wrote(gateway, world,
                                                                                                  infra, mailpit):
    w = world
    # The admin works in no group: a parent's conversation about Sem is in their list, unread, and opens.
    about_sem = (await start(gateway, w, "anne", {"child_id": w.children["sem"], "subject": "Allergie",
                                                  "text": "Sem is allergisch voor noten."}))["conversation_id"]
    listed = await listing(gateway, w, "admin")
    assert item(listed, about_sem)["unread"] == 1
    assert (await gateway.get(f"/api/v1/conversations/{about_sem}", headers=w.as_("admin"))).status_code == 200
    assert item(await listing(gateway, w, "admin"), about_sem)["unread"] == 0

    # The admin writes to the whole of Dolfijnen; Ilse answers: the admin (who wrote) and Joyce (the group's
    # staff) hear of it, and the other families neither see nor hear of Ilse's answer.
    r = await gateway.post("/api/v1/group-messages", headers=w.as_("admin"), json={
        "group_id": w.groups["dolfijnen"], "subject": "Sluiting", "text": "Maandag zijn we gesloten."})
    assert r.status_code == 201, r.text
    conversations = r.json()["conversation_ids"]
    ilse = next(c["conversation_id"] for c in (await listing(gateway, w, "ilse"))["items"]
                if c["conversation_id"] in conversations)
    first = (await gateway.get(f"/api/v1/conversations/{ilse}", headers=w.as_("ilse"))).json()["messages"]
    assert [(m["sender_role"], m["text"]) for m in first] == [("admin", "Maandag zijn we gesloten.")]
    r = await gateway.post(f"/api/v1/conversations/{ilse}/messages", headers=w.as_("ilse"),
                           json={"text": "Dank voor het laten weten."})
    assert r.status_code == 201, r.text
    reply_id = r.json()["message_id"]

    async def reply_event() -> dict | None:
        return next((e for e in await sent_events(infra, w) if e["message_id"] == reply_id), None)

    recipients = set((await eventually(reply_event, timeout=20))["recipient_account_ids"])
    assert {w.account("admin"), w.account("joyce")} <= recipients
    assert not recipients & {w.account(p) for p in ("anne", "mark", "eva", "thomas", "ilse")}
    admin_mail = w.staff["admin"][1]
    await eventually(lambda: mailpit.count(admin_mail, "Nieuw bericht van Ilse"), timeout=30)

    async def admin_told() -> bool:
        inbox = (await gateway.get("/api/v1/inbox", headers=w.as_("admin"))).json()["items"]
        return any(i["link"].endswith(ilse) and "Ilse" in i["text"] for i in inbox)

    await eventually(admin_told, timeout=30)
    assert item(await listing(gateway, w, "admin"), ilse)["unread"] == 1
    for person in ("anne", "eva"):
        assert (await gateway.get(f"/api/v1/conversations/{ilse}", headers=w.as_(person))).status_code == 404
