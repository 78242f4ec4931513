"""Request and absence news end to end inside the service: planning events → one mail per parent → mailpit,
and one push per registered device → a local fake FCM (over real HTTP, through pyfcm)."""

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from konnect_contracts.events.access import SessionsEnded
from konnect_contracts.events.directory import ChildUpserted, ParentUpserted
from konnect_contracts.events.requests import (
    AbsenceReported,
    LineOutcome,
    RequestDecided,
    RequestExpired,
    RequestLine,
    RequestSubmitted,
)
from konnect_devstack.pytest_plugin import eventually, internal_headers, running_app
from notifications.main import create_app

WED = date(2026, 3, 11)


@dataclass
class Family:
    organisation_id: UUID
    family_id: UUID
    dutch_parent: str  # e-mail addresses
    english_parent: str
    children: dict[str, UUID]  # first name → child id
    accounts: dict[str, UUID] = field(default_factory=dict)  # e-mail address → the parent's account id


async def known_family(env: Any, *, with_children: bool = True) -> Family:
    """Two parents (Dutch and English) and two children, published and waited for in the read models."""
    org, family_id = uuid.uuid4(), uuid.uuid4()
    family = Family(org, family_id, env.address(), env.address(), {"Noor": uuid.uuid4(), "Sem": uuid.uuid4()})
    family.accounts = {family.dutch_parent: uuid.uuid4(), family.english_parent: uuid.uuid4()}
    events: list[Any] = [
        ParentUpserted(organisation_id=org, version=1, account_id=family.accounts[family.dutch_parent],
                       family_id=family_id, name="Anne", email=family.dutch_parent, language="nl"),
        ParentUpserted(organisation_id=org, version=1, account_id=family.accounts[family.english_parent],
                       family_id=family_id, name="Emma", email=family.english_parent, language="en"),
    ]
    if with_children:
        events += [ChildUpserted(organisation_id=org, version=1, child_id=child_id, family_id=family_id,
                                 first_name=name, last_name="de Vries", birth_date=date(2022, 6, 14))
                   for name, child_id in family.children.items()]
    await env.publish(*(env.wrap(e) for e in events))

    # Directory and planning are different topics with no order between them: wait until the read models
    # have the family, so the mail below is rendered with everything known.
    async def settled() -> bool:
        parents = await env.fetch("SELECT 1 FROM recipients WHERE family_id = $1", family_id)
        kids = await env.fetch("SELECT 1 FROM children WHERE family_id = $1", family_id)
        return len(parents) == 2 and len(kids) == (2 if with_children else 0)

    await eventually(settled)
    return family


def submitted(family: Family) -> RequestSubmitted:
    return RequestSubmitted(
        request_id=uuid.uuid4(), organisation_id=family.organisation_id, family_id=family.family_id,
        kind="extra_day", submitted_by_account_id=uuid.uuid4(),
        lines=tuple(RequestLine(line_id=uuid.uuid4(), child_id=child_id, group_id=uuid.uuid4(), starts_on=WED,
                                ends_on=WED, day_part_ids=(uuid.uuid4(),))
                    for child_id in family.children.values()),
    )


def decided(request: RequestSubmitted) -> RequestDecided:
    noor, sem = request.lines
    return RequestDecided(request_id=request.request_id, organisation_id=request.organisation_id,
                          family_id=request.family_id, outcomes=(
                              LineOutcome(line_id=noor.line_id, child_id=noor.child_id, outcome="accepted"),
                              LineOutcome(line_id=sem.line_id, child_id=sem.child_id, outcome="rejected",
                                          reason="Groep vol")))


def absence(family: Family) -> AbsenceReported:
    return AbsenceReported(absence_id=uuid.uuid4(), organisation_id=family.organisation_id,
                           family_id=family.family_id, child_id=family.children["Noor"], starts_on=WED, ends_on=WED,
                           reason="sick")


async def mails(mailpit: Any, address: str, count: int) -> list[dict[str, Any]]:
    found = await eventually(lambda: (lambda m: m if len(m) >= count else None)(mailpit.messages_to(address)))
    messages = [mailpit.message(m["ID"]) for m in found]
    for message in messages:
        message["Text"] = message["Text"].replace("\r\n", "\n")  # SMTP line ends, as sent
    return messages


async def test_decided_request_for_two_siblings_mails_each_parent_once_in_their_language(
        shared_env, mail_app, mailpit) -> None:
    family = await known_family(shared_env)
    request = submitted(family)
    decision = shared_env.wrap(decided(request))
    # The decision delivered twice, then an absence of the same family (same key → same partition, behind it):
    # once the absence is mailed, both copies of the decision were consumed.
    await shared_env.publish(shared_env.wrap(request), decision, decision, shared_env.wrap(absence(family)))

    for address in (family.dutch_parent, family.english_parent):
        by_subject = {m["Subject"]: m for m in await mails(mailpit, address, 2)}
        assert len(mailpit.messages_to(address)) == 2, "one decision mail and one absence mail, no duplicate"
        if address == family.dutch_parent:
            mail = by_subject["Extra dag voor Noor en Sem op woensdag 11 maart deels geaccepteerd"]
            assert mail["Text"].startswith("Hallo Anne,")
            assert "- Noor, woensdag 11 maart 2026: geaccepteerd" in mail["Text"]
            assert "- Sem, woensdag 11 maart 2026: afgewezen (reden: Groep vol)" in mail["Text"]
            absent = by_subject["Afwezigheid van Noor op woensdag 11 maart geregistreerd"]
            assert "Noor, woensdag 11 maart 2026: ziek" in absent["Text"]
        else:
            mail = by_subject["Extra day for Noor and Sem on Wednesday 11 March partly accepted"]
            assert mail["Text"].startswith("Hello Emma,")
            assert "- Noor, Wednesday 11 March 2026: accepted" in mail["Text"]
            assert "- Sem, Wednesday 11 March 2026: rejected (reason: Groep vol)" in mail["Text"]
            assert "Absence of Noor on Wednesday 11 March registered" in by_subject

    rows = await shared_env.fetch("SELECT recipient, status FROM deliveries WHERE event_id = $1", decision.event_id)
    assert sorted(r["recipient"] for r in rows) == sorted([family.dutch_parent, family.english_parent])
    # Without secrets in it, a sent mail keeps its body: support can see what a parent was told.
    kept = await shared_env.fetch("SELECT body_text FROM deliveries WHERE event_id = $1 AND status = 'sent'",
                                  decision.event_id)
    assert kept and all("Noor" in r["body_text"] for r in kept)


async def test_a_parent_whose_address_bounced_gets_no_decision_mail_and_the_other_parent_does(
        shared_env, mail_app, mailpit) -> None:
    family = await known_family(shared_env)
    await shared_env.fetch("INSERT INTO email_suppressions (address, reason, detail) VALUES ($1, 'bounced', 'gone')",
                           family.english_parent.lower())
    request = submitted(family)
    decision = shared_env.wrap(decided(request))
    await shared_env.publish(shared_env.wrap(request), decision)

    [mail] = await mails(mailpit, family.dutch_parent, 1)
    assert "- Noor, woensdag 11 maart 2026: geaccepteerd" in mail["Text"]
    rows = await eventually(lambda: _sent_or_failed(shared_env, decision.event_id))
    assert rows == {family.dutch_parent: ("sent", None),
                    family.english_parent: ("failed", "not sent: the address is suppressed (bounced)")}
    assert mailpit.messages_to(family.english_parent) == []


async def _sent_or_failed(env: Any, event_id: UUID) -> dict[str, tuple[str, str | None]] | None:
    rows = await env.fetch("SELECT recipient, status, last_error FROM deliveries WHERE event_id = $1", event_id)
    found = {r["recipient"]: (r["status"], r["last_error"]) for r in rows}
    return found if len(found) == 2 and all(status in ("sent", "failed") for status, _ in found.values()) else None


async def test_expired_request_tells_every_parent(shared_env, mail_app, mailpit) -> None:
    family = await known_family(shared_env)
    request = submitted(family)
    expired = RequestExpired(request_id=request.request_id, organisation_id=family.organisation_id,
                             family_id=family.family_id, expired_line_ids=tuple(li.line_id for li in request.lines),
                             child_ids=tuple(family.children.values()))
    await shared_env.publish(shared_env.wrap(request), shared_env.wrap(expired))

    [dutch] = await mails(mailpit, family.dutch_parent, 1)
    assert dutch["Subject"] == "Extra dag voor Noor en Sem op woensdag 11 maart vervallen"
    assert "niet op tijd beoordeeld" in dutch["Text"]
    assert "- Noor, woensdag 11 maart 2026\n- Sem, woensdag 11 maart 2026" in dutch["Text"]
    [english] = await mails(mailpit, family.english_parent, 1)
    assert english["Subject"] == "Extra day for Noor and Sem on Wednesday 11 March expired"


async def test_mail_goes_out_without_child_names_or_request_lines(shared_env, mail_app, mailpit) -> None:
    # Neither ChildUpserted nor RequestSubmitted was seen: the parents are still told, in neutral words.
    family = await known_family(shared_env, with_children=False)
    await shared_env.publish(shared_env.wrap(decided(submitted(family))))

    [mail] = await mails(mailpit, family.dutch_parent, 1)
    assert mail["Subject"] == "Aanvraag voor je kind deels geaccepteerd"
    assert "- Je kind: geaccepteerd\n- Je kind: afgewezen (reden: Groep vol)" in mail["Text"]


# -- push -----------------------------------------------------------------------------------------------


def as_parent(family: Family, address: str, session_id: UUID | None = None) -> dict[str, str]:
    return internal_headers("parent", str(family.accounts[address]), str(family.organisation_id),
                            session_id=str(session_id or uuid.uuid4()))


async def register_device(client: Any, headers: dict[str, str], token: str, platform: str = "android") -> str:
    response = await client.post("/push-devices", json={"token": token, "platform": platform}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["device_id"]


async def test_push_goes_to_every_device_of_each_parent_who_kept_it_on(notifications_env, fake_fcm, mailpit):
    fcm, push_settings = fake_fcm
    env = notifications_env
    async with running_app(create_app(env.settings(**push_settings))) as client:
        family = await known_family(env)
        anne, emma = family.dutch_parent, family.english_parent
        anne_phone, anne_tablet, emma_phone = (f"{name}-{uuid.uuid4().hex}" for name in ("ap", "at", "ep"))
        await register_device(client, as_parent(family, anne), anne_phone)
        await register_device(client, as_parent(family, anne), anne_tablet, "ios")
        await register_device(client, as_parent(family, emma), emma_phone)
        off = await client.put("/notification-settings", headers=as_parent(family, emma), json={
            "items": [{"kind": "absence_reported", "email": True, "push": False}]})
        assert off.status_code == 200

        request = submitted(family)
        decision = env.wrap(decided(request))
        await env.publish(env.wrap(request), decision, decision, env.wrap(absence(family)))

        await eventually(lambda: len(fcm.to(anne_phone)) == 2 and len(fcm.to(anne_tablet)) == 2
                         and len(fcm.to(emma_phone)) == 1)
        for token in (anne_phone, anne_tablet):  # Dutch, once per event although the decision came twice
            assert sorted(m["notification"]["title"] for m in fcm.to(token)) == [
                "Afwezigheid geregistreerd", "Je aanvraag is beoordeeld"]
        [emma_push] = fcm.to(emma_phone)  # English; absence switched off for push only
        assert emma_push["notification"] == {"title": "Your request has been decided",
                                             "body": "See the outcome in Konnect."}
        assert emma_push["data"] == {"kind": "request_decided", "event_id": str(decision.event_id)}
        assert all("Noor" not in json.dumps(m["notification"]) for m in fcm.sent)  # lock screens show no names
        assert {m["project"] for m in fcm.sent} == {"konnect-test"}
        # E-mail is its own switch: Emma still gets the absence mail.
        emma_subjects = {m["Subject"] for m in await mails(mailpit, emma, 2)}
        assert "Absence of Noor on Wednesday 11 March registered" in emma_subjects


async def test_no_push_to_a_device_whose_session_ended_or_that_fcm_disowned(notifications_env, fake_fcm):
    fcm, push_settings = fake_fcm
    env = notifications_env
    async with running_app(create_app(env.settings(**push_settings))) as client:
        family = await known_family(env)
        anne, emma = family.dutch_parent, family.english_parent
        phone_session, tablet_session = uuid.uuid4(), uuid.uuid4()
        phone, tablet, uninstalled = (f"{name}-{uuid.uuid4().hex}" for name in ("phone", "tablet", "gone"))
        await register_device(client, as_parent(family, anne, phone_session), phone)
        await register_device(client, as_parent(family, anne, tablet_session), tablet)
        await register_device(client, as_parent(family, emma), uninstalled)
        fcm.gone.add(uninstalled)

        # Anne logs out on her phone: identity says so, and the phone is no longer a push device.
        await env.publish(env.wrap(SessionsEnded(
            account_id=family.accounts[anne], organisation_id=family.organisation_id, session_ids=[phone_session],
            reason="logout", ended_at=datetime.now(UTC))))

        async def anne_devices() -> int:
            listed = await client.get("/push-devices", headers=as_parent(family, anne))
            return len(listed.json())

        await eventually(lambda: _equals(anne_devices(), 1))

        fcm.overloaded[tablet] = 1  # FCM answers 503 once: the push is retried, not lost
        request = submitted(family)
        await env.publish(env.wrap(request), env.wrap(decided(request)))
        await eventually(lambda: len(fcm.to(tablet)) == 1)

        async def gone_forgotten() -> bool:
            failed = await env.fetch("SELECT 1 FROM deliveries WHERE recipient = $1 AND status = 'failed'",
                                     uninstalled)
            kept = await env.fetch("SELECT 1 FROM push_devices WHERE token = $1", uninstalled)
            return bool(failed) and not kept

        await eventually(gone_forgotten)
        assert fcm.to(phone) == [] and fcm.to(uninstalled) == []
        retried = await env.fetch("SELECT attempts FROM deliveries WHERE recipient = $1", tablet)
        assert [r["attempts"] for r in retried] == [2]


async def _equals(value: Any, expected: Any) -> bool:
    return (await value) == expected


async def test_push_devices_belong_to_their_person(notifications_env, fake_fcm):
    env = notifications_env
    async with running_app(create_app(env.settings(**fake_fcm[1]))) as client:
        family = await known_family(env, with_children=False)
        anne, emma = as_parent(family, family.dutch_parent), as_parent(family, family.english_parent)
        token = f"tok-{uuid.uuid4().hex}"
        first = await register_device(client, anne, token)
        assert await register_device(client, anne, token, "ios") == first  # the same install again
        listed = (await client.get("/push-devices", headers=anne)).json()
        assert [(d["device_id"], d["platform"]) for d in listed] == [(first, "ios")]
        assert (await client.get("/push-devices", headers=emma)).json() == []
        assert (await client.delete(f"/push-devices/{first}", headers=emma)).status_code == 404
        for bad in ({"token": "has spaces in it", "platform": "android"}, {"token": token, "platform": "nokia"},
                    {"platform": "android"}):
            refused = await client.post("/push-devices", json=bad, headers=anne)
            assert refused.status_code == 422 and refused.json()["error"]["code"] == "validation_failed"
        erp = internal_headers("erp", "erp-client", str(family.organisation_id))
        assert (await client.get("/push-devices", headers=erp)).status_code == 403
        assert (await client.delete(f"/push-devices/{first}", headers=anne)).status_code == 204
        assert (await client.get("/push-devices", headers=anne)).json() == []


async def test_an_account_keeps_ten_devices_and_a_new_phone_takes_the_place_of_the_least_recent(notifications_env):
    """Finding 5 of issue 8: a fuzzer registered 310 devices for one account, and every push went to each."""
    env = notifications_env
    async with running_app(create_app(env.settings())) as client:
        family = await known_family(env, with_children=False)
        anne, emma = as_parent(family, family.dutch_parent), as_parent(family, family.english_parent)
        tokens = [f"install-{i}-{uuid.uuid4().hex}" for i in range(10)]
        ids = [await register_device(client, anne, token) for token in tokens]
        emma_phone = await register_device(client, emma, f"emma-{uuid.uuid4().hex}")
        assert await register_device(client, anne, tokens[0]) == ids[0]  # the first phone logs in again: in use
        new_phone = await register_device(client, anne, f"new-phone-{uuid.uuid4().hex}")  # 201, not refused

        async def anne_devices() -> set[str]:
            return {d["device_id"] for d in (await client.get("/push-devices", headers=anne)).json()}

        # The one registered longest ago (the second install) made room; the re-registered first one stayed.
        assert await anne_devices() == {*ids[0:1], *ids[2:], new_phone}
        for _ in range(15):  # a runaway client: still ten, the newest ten
            newest = await register_device(client, anne, f"fuzz-{uuid.uuid4().hex}")
        assert len(await anne_devices()) == 10 and newest in await anne_devices()
        listed = (await client.get("/push-devices", headers=emma)).json()
        assert [d["device_id"] for d in listed] == [emma_phone]  # another person's devices are their own
