"""The in-app inbox from timeline, messaging and planning events on real Kafka and PostgreSQL."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from konnect_contracts.events.directory import ChildUpserted
from konnect_contracts.events.messaging import MessageSent
from konnect_contracts.events.requests import LineOutcome, RequestDecided
from konnect_contracts.events.timeline import DiaryEntryPosted, NewsPublished, PhotoPosted
from konnect_devstack.pytest_plugin import eventually, internal_headers, running_app
from konnect_kit.db import Database
from notifications.clock import SettableClock
from notifications.db.inbox import add
from notifications.domain.inbox import InboxEntry
from notifications.main import create_app

NOON = datetime(2026, 12, 9, 11, 0, tzinfo=UTC)


async def _inbox(client: Any, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    answer = await client.get("/inbox", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_inbox_collects_every_kind_per_account_newest_first(notifications_env, inbox_world) -> None:
    env, w = notifications_env, inbox_world
    clock = SettableClock(NOON)
    await env.publish(*(env.wrap(e) for e in w.directory()))
    series, conversation, news, request = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    photos = [PhotoPosted(photo_id=uuid.uuid4(), organisation_id=w.org, group_id=w.group,
                          child_ids=(w.sem, w.lotte), posted_by_staff_id=w.staff, series_id=series)
              for _ in range(3)]
    messages = [MessageSent(message_id=uuid.uuid4(), conversation_id=conversation, organisation_id=w.org,
                            child_id=w.sem, sender_account_id=w.staff, sender_role="staff",
                            recipient_account_ids=(w.anne,), subject="Schoenen", sent_at=NOON,
                            sender_name="Juf Sanne") for _ in range(2)]
    # An organisation-wide item is announced once per location: the parent still gets one item.
    announced = [NewsPublished(news_id=news, organisation_id=w.org, location_id=loc, title="Sinterklaas",
                               audience="location") for loc in (w.location, w.location)]
    diary = DiaryEntryPosted(entry_id=uuid.uuid4(), organisation_id=w.org, child_id=w.sem,
                             author_account_id=w.anne, author_role="parent")
    decided = RequestDecided(request_id=request, organisation_id=w.org, family_id=w.family_a,
                             outcomes=(LineOutcome(line_id=uuid.uuid4(), child_id=w.sem, outcome="accepted"),))

    async with running_app(create_app(env.settings(), clock=clock)) as client:
        anne, bram, emma = w.headers(w.anne), w.headers(w.bram), w.headers(w.emma)
        # Directory first, so the read models know the families before the posts arrive.
        await eventually(lambda: _count(env, "placements", 2))
        for event in [*photos, *messages, *announced]:
            await env.publish(env.wrap(event))
            clock.advance(timedelta(seconds=10))
        await env.publish(env.wrap(diary))
        await eventually(lambda: _count(env, "inbox_items", 8))
        clock.advance(timedelta(minutes=1))
        await env.publish(env.wrap(decided))
        page = await eventually(lambda: _page_with(client, anne, 4))

        texts = [item["text"] for item in page["items"]]
        assert texts == ["Aanvraag van Sem geaccepteerd", "Nieuws: Sinterklaas",
                         "2 nieuwe berichten van Juf Sanne: Schoenen", "3 nieuwe foto's van Sem"]
        assert [item["link"] for item in page["items"]] == [
            f"/requests/{request}", f"/news/{news}", f"/conversations/{conversation}", f"/photos/{series}"]
        assert page["unread"] == 4 and all(not item["read"] for item in page["items"])
        assert page["items"][0]["created_at"] == (NOON + timedelta(seconds=60 + 70)).isoformat().replace(
            "+00:00", "Z")
        # Bram (the other parent of Sem) has his own inbox: no message, but Anne's diary entry.
        bram_texts = [i["text"] for i in (await eventually(lambda: _page_with(client, bram, 4)))["items"]]
        assert bram_texts == ["Aanvraag van Sem geaccepteerd", "Nieuw dagboekbericht over Sem",
                              "Nieuws: Sinterklaas", "3 nieuwe foto's van Sem"]
        # Emma reads English and only about her own child in the group photo.
        emma_page = await _inbox(client, emma)
        assert [i["text"] for i in emma_page["items"]] == ["News: Sinterklaas", "3 new photos of Lotte"]
        assert emma_page["items"][1]["child_ids"] == [str(w.lotte)]

        # Pages of two, newest first, without gaps or repeats.
        first = await _inbox(client, anne, limit=2)
        second = await _inbox(client, anne, limit=2, cursor=first["next_cursor"])
        assert [i["text"] for i in first["items"] + second["items"]] == texts and second["next_cursor"] is None

        # Mark one read: the badge drops; another account's item is not found.
        news_item = page["items"][1]["item_id"]
        read = await client.post(f"/inbox/{news_item}/read", headers=anne)
        assert read.status_code == 200 and read.json() == {"unread": 3}
        assert (await client.get("/inbox/unread-count", headers=anne)).json() == {"unread": 3}
        stranger = await client.post(f"/inbox/{news_item}/read", headers=emma)
        assert stranger.status_code == 404 and stranger.json()["error"]["code"] == "not_found"
        assert (await _inbox(client, emma))["unread"] == 2

        # A message after the conversation was read starts a new item instead of counting up a read one.
        assert (await client.post("/inbox/read-all", headers=anne)).json() == {"unread": 0}
        await env.publish(env.wrap(messages[0].model_copy(update={"message_id": uuid.uuid4()})))
        newest = (await eventually(lambda: _page_with(client, anne, 5)))["items"][0]
        assert newest["text"] == "Nieuw bericht van Juf Sanne: Schoenen" and not newest["read"]
        assert (await _inbox(client, anne))["unread"] == 1

        # Sem moves to another family: whatever was about him leaves Anne's and Bram's inboxes at once.
        await env.publish(env.wrap(ChildUpserted(organisation_id=w.org, version=2, child_id=w.sem,
                                                 family_id=w.family_c, first_name="Sem", last_name="X",
                                                 birth_date=date(2023, 1, 1))))
        after = await eventually(lambda: _page_with(client, bram, 1))
        assert [i["text"] for i in after["items"]] == ["Nieuws: Sinterklaas"]
        assert (await _inbox(client, emma))["items"][1]["text"] == "3 new photos of Lotte"


async def test_inbox_refuses_bad_input_and_strangers(notifications_env) -> None:
    env = notifications_env
    async with running_app(create_app(env.settings())) as client:
        who = internal_headers("parent", str(uuid.uuid4()), str(uuid.uuid4()))
        for cursor in ("abc", "-1", "1" * 19):
            bad = await client.get("/inbox", params={"cursor": cursor}, headers=who)
            assert bad.status_code in (400, 422) and "error" in bad.json(), bad.text
        assert (await client.get("/inbox", params={"limit": 0}, headers=who)).status_code == 422
        assert (await client.post(f"/inbox/{uuid.uuid4()}/read", headers=who)).status_code == 404
        assert (await client.post("/inbox/not-a-uuid/read", headers=who)).status_code == 422
        assert (await client.get("/inbox", headers=internal_headers(None))).status_code == 401
        assert (await client.get("/inbox", headers=internal_headers("erp", "x"))).status_code == 403
        empty = await _inbox(client, who)
        assert empty == {"items": [], "next_cursor": None, "unread": 0}


async def _count(env: Any, table: str, expected: int) -> bool:
    return len(await env.fetch(f"SELECT 1 FROM {table}")) >= expected


async def _page_with(client: Any, headers: dict[str, str], expected: int) -> dict[str, Any] | None:
    page = await _inbox(client, headers)
    return page if len(page["items"]) == expected else None


async def test_an_item_is_stored_once_per_subject_read_or_not_and_comes_back_as_stored(notifications_env) -> None:
    """The same news announced again later (another location's event, another batch) adds no second item, even
    after the parent read the first; a photo series' next photo joins its unread item instead."""
    env = notifications_env
    account, org, news, series, sem = (uuid.uuid4() for _ in range(5))
    news_entry = InboxEntry(account_id=account, organisation_id=org, kind="news_published", subject_id=news,
                            child_ids=(), params={"title": "Sinterklaas", "nested": {"n": 1, "é": [True, None]}})
    photo = InboxEntry(account_id=account, organisation_id=org, kind="photo_posted", subject_id=series,
                       child_ids=(sem,), params={"media_kind": "photo"})
    database = Database(env.database_url)
    try:
        async with database.transaction() as session:
            first = await add(session, news_entry, NOON)
        assert first is not None
        assert (first.kind, first.subject_id, first.params, first.count) == (
            "news_published", news, news_entry.params, 1)
        assert first.link == "/news/" + str(news) and first.read_at is None and first.created_at == NOON
        async with database.transaction() as session:
            assert await add(session, news_entry, NOON + timedelta(minutes=1)) is None
        await env.fetch("UPDATE inbox_items SET read_at = now() WHERE item_id = $1 RETURNING item_id", first.item_id)
        async with database.transaction() as session:
            assert await add(session, news_entry, NOON + timedelta(minutes=2)) is None

        async with database.transaction() as session:
            photo_item = await add(session, photo, NOON)
            again = await add(session, photo, NOON + timedelta(seconds=5))
        assert photo_item is not None and again is not None
        assert again.item_id == photo_item.item_id and again.count == 2 and again.seq > photo_item.seq > first.seq
        assert photo_item.child_ids == (sem,) and photo_item.params == {"media_kind": "photo"}
    finally:
        await database.dispose()
    rows = await env.fetch("SELECT kind, count FROM inbox_items WHERE account_id = $1 ORDER BY seq", account)
    assert [(r["kind"], r["count"]) for r in rows] == [("news_published", 1), ("photo_posted", 2)]
