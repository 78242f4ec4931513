"""Settings per kind and channel on real Kafka, PostgreSQL, SMTP (mailpit) and a fake FCM over HTTP: bursts
give one push, the daily digest comes once at its local time, quiet hours hold pushes into one summary."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from konnect_contracts.events.messaging import MessageSent
from konnect_contracts.events.requests import RequestExpired
from konnect_contracts.events.timeline import DiaryEntryPosted, NewsPublished, PhotoPosted
from konnect_devstack.pytest_plugin import eventually, running_app
from notifications.clock import SettableClock
from notifications.main import create_app

# Wednesday 9 December 2026, 16:00 in Amsterdam (CET, UTC+1).
AFTERNOON = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)


async def _device(client: Any, headers: dict[str, str]) -> str:
    token = f"dev-{uuid.uuid4().hex}"
    answer = await client.post("/push-devices", json={"token": token, "platform": "android"},
                               headers={**headers, "x-konnect-actor-session": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.text
    return token


async def test_bursts_digest_and_quiet_hours(notifications_env, inbox_world, fake_fcm, mailpit) -> None:
    env, w = notifications_env, inbox_world
    fcm, push_settings = fake_fcm
    clock = SettableClock(AFTERNOON)
    settings = env.settings(**push_settings, push_burst_seconds=60, digest_poll_seconds=0.2)
    await env.publish(*(env.wrap(e) for e in w.directory()))
    async with running_app(create_app(settings, clock=clock)) as client:
        anne_h, emma_h = w.headers(w.anne), w.headers(w.emma)
        anne_phone, emma_phone = await _device(client, anne_h), await _device(client, emma_h)
        # Anne: quiet hours 21:00-07:00, messages by e-mail in the digest too. Emma: defaults (digest 18:00).
        changed = await client.put("/notification-settings", headers=anne_h, json={
            "quiet_hours": {"start": "21:00", "end": "07:00"}, "time_zone": "Europe/Amsterdam",
            "items": [{"kind": "message_sent", "email": True, "push": True, "email_delivery": "digest"}]})
        assert changed.status_code == 200, changed.text
        assert changed.json()["quiet_hours"] == {"start": "21:00", "end": "07:00"}
        assert changed.json()["digest_at"] == "18:00"
        await eventually(lambda: _rows(env, "SELECT 1 FROM placements", 2))

        # Ten photos of one series and five messages in one conversation within the minute.
        series, conversation = uuid.uuid4(), uuid.uuid4()
        await env.publish(*(env.wrap(PhotoPosted(
            photo_id=uuid.uuid4(), organisation_id=w.org, group_id=w.group, child_ids=(w.sem, w.lotte),
            posted_by_staff_id=w.staff, series_id=series)) for _ in range(10)))
        await env.publish(*(env.wrap(MessageSent(
            message_id=uuid.uuid4(), conversation_id=conversation, organisation_id=w.org, child_id=w.sem,
            sender_account_id=w.staff, sender_role="staff", recipient_account_ids=(w.anne,), subject="Schoenen",
            sent_at=AFTERNOON, sender_name="Juf Sanne")) for _ in range(5)))
        await eventually(lambda: _rows(env, "SELECT 1 FROM digest_items", 3 * 10 + 5))
        assert fcm.sent == []  # held for the burst window
        clock.advance(timedelta(seconds=61))
        await eventually(lambda: len(fcm.to(anne_phone)) == 2 and len(fcm.to(emma_phone)) == 1)
        assert sorted(m["notification"]["title"] for m in fcm.to(anne_phone)) == [
            "10 nieuwe foto's", "5 nieuwe berichten"]
        assert fcm.to(emma_phone)[0]["notification"]["title"] == "10 new photos"
        assert not any("Sem" in str(m) or "Lotte" in str(m) or "Schoenen" in str(m) for m in fcm.sent)

        # 18:00 in Amsterdam (17:00 UTC): one digest each, listing the day, once.
        clock.set(datetime(2026, 12, 9, 16, 59, tzinfo=UTC))
        assert mailpit.count(f"{w.anne.hex}@example.test", "overzicht") == 0
        clock.set(datetime(2026, 12, 9, 17, 0, 30, tzinfo=UTC))
        await eventually(lambda: mailpit.count(f"{w.anne.hex}@example.test", "overzicht") == 1
                         and mailpit.count(f"{w.emma.hex}@example.test", "summary") == 1, timeout=30)
        [anne_mail] = mailpit.messages_to(f"{w.anne.hex}@example.test")
        body = mailpit.message(anne_mail["ID"])["Text"]
        assert "- 10 nieuwe foto's van Sem" in body and "- 5 nieuwe berichten van Juf Sanne: Schoenen" in body
        assert anne_mail["Subject"] == "Je overzicht: 2 nieuw in Konnect"
        emma_body = mailpit.message(mailpit.messages_to(f"{w.emma.hex}@example.test")[0]["ID"])["Text"]
        assert "- 10 new photos of Lotte" in emma_body and "Sem" not in emma_body
        clock.advance(timedelta(hours=3))  # later that evening: nothing new, no second mail
        await eventually(lambda: _rows(env, "SELECT 1 FROM digest_items WHERE digest_id IS NULL", 0, exact=True))
        assert len(mailpit.messages_to(f"{w.anne.hex}@example.test")) == 1

        # 22:30 in Amsterdam: Anne's quiet hours. A news item and a diary entry wait; an expiring request does not.
        clock.set(datetime(2026, 12, 9, 21, 30, tzinfo=UTC))
        await env.publish(env.wrap(NewsPublished(news_id=uuid.uuid4(), organisation_id=w.org,
                                                 location_id=w.location, title="Kerstviering", audience="location")),
                          env.wrap(DiaryEntryPosted(entry_id=uuid.uuid4(), organisation_id=w.org, child_id=w.sem,
                                                    author_account_id=w.staff, author_role="staff")),
                          env.wrap(RequestExpired(request_id=uuid.uuid4(), organisation_id=w.org,
                                                  family_id=w.family_a, expired_line_ids=(uuid.uuid4(),),
                                                  child_ids=(w.sem,))))
        await eventually(lambda: len(fcm.to(anne_phone)) == 3 and len(fcm.to(emma_phone)) == 2)
        assert fcm.to(anne_phone)[-1]["notification"]["title"] == "Je aanvraag is verlopen"
        assert fcm.to(emma_phone)[-1]["notification"]["title"] == "News"  # Emma has no quiet hours
        clock.set(datetime(2026, 12, 10, 5, 59, tzinfo=UTC))
        clock.set(datetime(2026, 12, 10, 6, 0, 1, tzinfo=UTC))  # 07:00 in Amsterdam
        await eventually(lambda: len(fcm.to(anne_phone)) == 4)
        assert fcm.to(anne_phone)[-1]["notification"]["title"] == "2 meldingen terwijl het stil was"

        bad = await client.put("/notification-settings", headers=anne_h, json={"time_zone": "Mars/Olympus"})
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_time_zone"
        bad = await client.put("/notification-settings", headers=anne_h, json={"digest_at": "25:00"})
        assert bad.status_code == 422


async def test_message_previews_only_for_parents_who_chose_them(notifications_env, inbox_world, fake_fcm,
                                                               mailpit) -> None:
    """The start of a message reaches a lock screen or a mailbox only for a parent who turned previews on."""
    env, w = notifications_env, inbox_world
    fcm, push_settings = fake_fcm
    clock = SettableClock(AFTERNOON)
    await env.publish(*(env.wrap(e) for e in w.directory()))
    async with running_app(create_app(env.settings(**push_settings, push_burst_seconds=60), clock=clock)) as client:
        anne_h, emma_h = w.headers(w.anne), w.headers(w.emma)
        anne_phone, emma_phone = await _device(client, anne_h), await _device(client, emma_h)
        assert (await client.get("/notification-settings", headers=emma_h)).json()["message_preview"] is False
        chosen = await client.put("/notification-settings", headers=anne_h, json={"message_preview": True})
        assert chosen.status_code == 200 and chosen.json()["message_preview"] is True
        unchanged = await client.put("/notification-settings", headers=anne_h, json={"digest_at": "19:00"})
        assert unchanged.json()["message_preview"] is True  # not named: kept
        await eventually(lambda: _rows(env, "SELECT 1 FROM placements", 2))

        text = "Wil je morgen extra luiers meenemen?"
        await env.publish(env.wrap(MessageSent(
            message_id=uuid.uuid4(), conversation_id=uuid.uuid4(), organisation_id=w.org, child_id=w.sem,
            sender_account_id=w.staff, sender_role="staff", recipient_account_ids=(w.anne, w.emma),
            subject="Luiers", sent_at=AFTERNOON, sender_name="Juf Sanne", preview=text)))
        anne, emma = f"{w.anne.hex}@example.test", f"{w.emma.hex}@example.test"
        await eventually(lambda: mailpit.count(anne, "Luiers") == 1 and mailpit.count(emma, "Luiers") == 1,
                         timeout=30)
        anne_mail = mailpit.message(mailpit.messages_to(anne)[0]["ID"])
        emma_mail = mailpit.message(mailpit.messages_to(emma)[0]["ID"])
        assert f"“{text}”" in anne_mail["Text"] and text in anne_mail["HTML"]
        assert text not in emma_mail["Text"] and text not in emma_mail["HTML"]

        clock.advance(timedelta(seconds=61))  # the burst window of the conversation ends
        await eventually(lambda: len(fcm.to(anne_phone)) == 1 and len(fcm.to(emma_phone)) == 1)
        assert fcm.to(anne_phone)[0]["notification"] == {"title": "Bericht van Juf Sanne", "body": text}
        assert text not in str(fcm.to(emma_phone)) and "Juf Sanne" not in str(fcm.to(emma_phone))

        off = await client.put("/notification-settings", headers=anne_h, json={"message_preview": False})
        assert off.json()["message_preview"] is False
        bad = await client.put("/notification-settings", headers=anne_h, json={"message_preview": "sometimes"})
        assert bad.status_code == 422


async def _rows(env: Any, sql: str, expected: int, *, exact: bool = False) -> bool:
    found = len(await env.fetch(sql))
    return found == expected if exact else found >= expected
