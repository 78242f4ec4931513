"""Mails a parent trusts, read back from mailpit: the organisation as sender with its Reply-To and logo, a subject
saying what happened, a link to the item, a footer naming why, and a one-click unsubscribe (RFC 8058) that turns
off only that kind's e-mail; account mails carry no unsubscribe and say whom to ask."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import httpx
from konnect_contracts.events.accounts import AccountInvited
from konnect_contracts.events.directory import ChildUpserted, OrganisationUpserted, ParentUpserted
from konnect_contracts.events.requests import LineOutcome, RequestDecided, RequestLine, RequestSubmitted
from konnect_devstack.pytest_plugin import eventually, internal_headers

WED_9_DEC = date(2026, 12, 9)
ORG_NAME = "Kinderopvang De Regenboog"
ORG_MAIL = "info@regenboog.example"
LOGO = "https://cdn.regenboog.example/logo.png"


async def regenboog(env: Any) -> dict[str, Any]:
    """An organisation with a contact address and logo; Anne (nl) and Emma (en) are Sem's parents."""
    org, family = uuid.uuid4(), uuid.uuid4()
    world = {"org": org, "family": family, "sem": uuid.uuid4(), "anne": uuid.uuid4(), "emma": uuid.uuid4(),
             "anne_mail": env.address(), "emma_mail": env.address()}
    await env.publish(*(env.wrap(e) for e in (
        OrganisationUpserted(organisation_id=org, version=1, name=ORG_NAME, email=ORG_MAIL, logo_url=LOGO),
        ParentUpserted(organisation_id=org, version=1, account_id=world["anne"], family_id=family,
                       name="Anne de Vries", email=world["anne_mail"], language="nl"),
        ParentUpserted(organisation_id=org, version=1, account_id=world["emma"], family_id=family,
                       name="Emma de Vries", email=world["emma_mail"], language="en"),
        ChildUpserted(organisation_id=org, version=1, child_id=world["sem"], family_id=family, first_name="Sem",
                      last_name="de Vries", birth_date=date(2023, 2, 1)))))

    async def settled() -> bool:
        return (len(await env.fetch("SELECT 1 FROM recipients WHERE family_id = $1", family)) == 2
                and bool(await env.fetch("SELECT 1 FROM children WHERE child_id = $1", world["sem"]))
                and bool(await env.fetch("SELECT 1 FROM organisations WHERE organisation_id = $1", org)))

    await eventually(settled)
    return world


async def decide_extra_day(env: Any, world: dict[str, Any]) -> UUID:
    line = RequestLine(line_id=uuid.uuid4(), child_id=world["sem"], group_id=uuid.uuid4(), starts_on=WED_9_DEC,
                       ends_on=WED_9_DEC, day_part_ids=(uuid.uuid4(),))
    request = RequestSubmitted(request_id=uuid.uuid4(), organisation_id=world["org"], family_id=world["family"],
                               kind="extra_day", submitted_by_account_id=world["anne"], lines=(line,))
    decision = RequestDecided(request_id=request.request_id, organisation_id=world["org"], family_id=world["family"],
                              outcomes=(LineOutcome(line_id=line.line_id, child_id=world["sem"], outcome="accepted"),))
    await env.publish(env.wrap(request), env.wrap(decision))
    return request.request_id


async def one_mail(mailpit: Any, address: str, count: int = 1) -> dict[str, Any]:
    found = await eventually(lambda: (lambda m: m if len(m) >= count else None)(mailpit.messages_to(address)))
    message = mailpit.message(found[0]["ID"])  # newest first
    message["Text"] = message["Text"].replace("\r\n", "\n")
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{mailpit.api}/api/v1/message/{found[0]['ID']}/headers", timeout=10)
    message["Headers"] = response.json()
    return message


async def test_request_mail_comes_from_the_organisation_and_unsubscribes_in_one_click(
        shared_env, mail_app, mailpit) -> None:
    world = await regenboog(shared_env)
    request_id = await decide_extra_day(shared_env, world)

    anne = await one_mail(mailpit, world["anne_mail"])
    assert anne["From"] == {"Name": f"{ORG_NAME} via Konnect", "Address": "no-reply@konnect.local"}
    assert [r["Address"] for r in anne["ReplyTo"]] == [ORG_MAIL]
    assert anne["Subject"] == "Extra dag voor Sem op woensdag 9 december geaccepteerd"
    text = anne["Text"]
    assert text.startswith("Hallo Anne,\n")  # first name, not "Anne de Vries"
    assert "- Sem, woensdag 9 december 2026: geaccepteerd" in text
    assert f"http://localhost:5173/requests/{request_id}" in text  # the item itself
    assert "omdat e-mail over beoordeelde aanvragen aan staat" in text
    assert "Instellingen wijzigen: http://localhost:5173/settings/notifications" in text
    assert f"je antwoord gaat naar {ORG_NAME}" in text
    html = anne["HTML"]
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert f'<img src="{LOGO}"' in html
    assert 'display:none' in html.split("<table", 1)[0]  # the preheader comes before the layout table
    assert f'href="http://localhost:5173/requests/{request_id}"' in html

    [unsubscribe] = anne["Headers"]["List-Unsubscribe"]
    assert anne["Headers"]["List-Unsubscribe-Post"] == ["List-Unsubscribe=One-Click"]
    url = unsubscribe.strip("<>")
    assert url.startswith("http://localhost:8000/api/v1/email-unsubscribe/")
    token = urlsplit(url).path.rsplit("/", 1)[1]

    # Edited or forged tokens (another kind, another account) are refused alike, and nothing changes.
    account_hex, kind, signature = token.split(".")
    for bad in (f"{account_hex}.message_sent.{signature}", f"{world['emma'].hex}.{kind}.{signature}", "x.y.z"):
        refused = await mail_app.post(f"/email-unsubscribe/{bad}", content=b"List-Unsubscribe=One-Click")
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "unknown_unsubscribe_link"
    assert (await mail_app.get(f"/email-unsubscribe/{token}")).status_code == 405  # a link scanner's GET: nothing

    # The mail client's one click: no login, only the signed token.
    for _ in range(2):  # a second click changes nothing
        clicked = await mail_app.post(f"/email-unsubscribe/{token}", content=b"List-Unsubscribe=One-Click",
                                      headers={"content-type": "application/x-www-form-urlencoded"})
        assert clicked.status_code == 200 and clicked.json() == {"email_off": ["request_decided"]}
    settings = (await mail_app.get("/notification-settings", headers=internal_headers(
        "parent", str(world["anne"]), str(world["org"])))).json()
    by_kind = {item["kind"]: item for item in settings["items"]}
    assert by_kind["request_decided"]["email"] is False and by_kind["request_decided"]["push"] is True
    assert by_kind["message_sent"]["email"] is True  # other kinds untouched

    # The next decision: Emma is mailed again, Anne is not (her inbox still gets it).
    emma_first = await one_mail(mailpit, world["emma_mail"])
    assert emma_first["Subject"] == "Extra day for Sem on Wednesday 9 December accepted"
    assert emma_first["From"]["Name"] == f"{ORG_NAME} via Konnect"
    await decide_extra_day(shared_env, world)
    await one_mail(mailpit, world["emma_mail"], 2)
    assert len(mailpit.messages_to(world["anne_mail"])) == 1
    inbox = await shared_env.fetch("SELECT 1 FROM inbox_items WHERE account_id = $1", world["anne"])
    assert len(inbox) == 2


async def test_invitation_names_the_organisation_says_whom_to_ask_and_has_no_unsubscribe(
        shared_env, mail_app, mailpit) -> None:
    world = await regenboog(shared_env)
    address = shared_env.address()
    await shared_env.publish(shared_env.wrap(AccountInvited(
        account_id=uuid.uuid4(), organisation_id=world["org"], family_id=world["family"], email=address,
        display_name="Bram Jansen", language="nl", invitation_token=f"inv-{uuid.uuid4().hex}",
        expires_at=datetime.now(UTC) + timedelta(days=7))))

    mail = await one_mail(mailpit, address)
    assert mail["From"]["Name"] == f"{ORG_NAME} via Konnect"
    assert "List-Unsubscribe" not in mail["Headers"] and "List-Unsubscribe-Post" not in mail["Headers"]
    assert mail["Text"].startswith("Hallo Bram,\n")
    assert (f"Verwachtte je deze uitnodiging niet? Dan hoef je niets te doen: zonder wachtwoord kan niemand met "
            f"dit account inloggen. Vragen? Neem contact op met {ORG_NAME} ({ORG_MAIL}).") in mail["Text"]
