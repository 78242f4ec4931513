"""Mijn groepen in a real browser against the real stack: staff post a photo series tagging two children of their
group (those families see it, the other families do not; an untagged child without photo consent is named in the
answer), write one message to the parents of a whole group (a conversation per family) and a diary entry that the
child's family reads."""

import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from konnect_devstack.demo import OPERATOR_TOKEN, REGENBOOG, demo_id
from konnect_devstack.stack import GATEWAY, Stack
from konnect_kit.media import samples
from playwright.sync_api import expect
from test_portal_e2e import _wait_for_link
from web_browser import ANNE, DEMO_PASSWORD, MARK, Visit, check_screen, log_in

SANNE = "sanne.bakker@demo.konnect.nl"  # staff of Dolfijnen (Sem's group) and Zeesterren
EVA = "eva.jansen@demo.konnect.nl"  # Noah's family: Egeltjes, another group
DOLFIJNEN = demo_id("group:dolfijnen")
T = TypeVar("T")


@dataclass(frozen=True)
class Family:
    child_id: str
    first_name: str
    full_name: str
    email: str | None  # the parent's login, if the family has one


def _client_ip() -> dict[str, str]:
    """A client address per call: the gateway's login and invitation limits count per address."""
    return {"X-Forwarded-For": f"10.77.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"}


def _eventually(probe: Callable[[], T | None], what: str, timeout: float = 60) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"not within {timeout} s: {what}")


def _api(stack: Stack, email: str) -> httpx.Client:
    client = httpx.Client(base_url=stack.url(GATEWAY) + "/api/v1", timeout=30)
    tokens = client.post("/auth/login", headers=_client_ip(), json={"email": email, "password": DEMO_PASSWORD})
    assert tokens.status_code == 200, tokens.text
    client.headers["Authorization"] = f"Bearer {tokens.json()['access_token']}"
    return client


def _logs_in(stack: Stack, email: str) -> bool:
    answer = httpx.post(f"{stack.url(GATEWAY)}/api/v1/auth/login", headers=_client_ip(), timeout=30,
                        json={"email": email, "password": DEMO_PASSWORD})
    return answer.status_code == 200


def _dolfijnen_family(stack: Stack, mailpit: Any, first_name: str, last_name: str, *, photo_consent: bool,
                      login: bool) -> Family:
    """A family of De Regenboog with one child placed in Dolfijnen, as the ERP would add it; stable ids, so a rerun
    on kept data updates the same records instead of filling the group."""
    operator = httpx.Client(base_url=stack.url(GATEWAY) + "/api/v1", timeout=30,
                            headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})

    def put(path: str, body: dict) -> None:
        answer = operator.put(path, json=body)
        assert answer.status_code == 200, (path, answer.text)

    key = first_name.lower()
    family, child = demo_id(f"web-test-family:{key}"), demo_id(f"web-test-child:{key}")
    put(f"/admin/directory/families/{family}", {"organisation_id": REGENBOOG, "name": f"Familie {last_name}"})
    email = f"ouder.{key}.{last_name.lower().replace(' ', '')}@example.org" if login else None
    if email:
        put(f"/admin/directory/parents/{demo_id(f'web-test-parent:{key}')}", {
            "organisation_id": REGENBOOG, "family_id": family, "name": f"Ouder van {first_name}", "email": email,
            "language": "nl"})
    put(f"/admin/directory/children/{child}", {"organisation_id": REGENBOOG, "family_id": family,
                                               "first_name": first_name, "last_name": last_name,
                                               "birth_date": "2023-05-01"})
    if photo_consent:
        put(f"/children/{child}/consents/photo_sharing", {"granted": True})
    # Last: the placement's event follows the consent's on the directory topic, so a service that knows the
    # placement knows the consent too.
    put(f"/admin/directory/placements/{demo_id(f'web-test-placement:{key}')}", {
        "organisation_id": REGENBOOG, "child_id": child, "group_id": DOLFIJNEN, "care_type": "day_care",
        "starts_on": "2026-01-05"})
    if email and not _logs_in(stack, email):  # the first run on this data: follow the invitation
        link = _wait_for_link(mailpit, email, 0, "invitation")
        token = parse_qs(urlsplit(link).query)["token"][0]
        accepted = httpx.post(f"{stack.url(GATEWAY)}/api/v1/auth/invitation/accept", headers=_client_ip(),
                              json={"token": token, "password": DEMO_PASSWORD}, timeout=30)
        assert accepted.status_code == 200, accepted.text
    return Family(child, first_name, f"{first_name} {last_name}", email)


@pytest.fixture(scope="module")
def dolfijnen(demo: Stack, mailpit: Any) -> dict[str, Family]:
    """Two more families in Sem's group with photo consent, and a child without consent, each with a login (the
    demo has one child per group); ready once the timeline knows them as Sanne's."""
    families = {"bram": _dolfijnen_family(demo, mailpit, "Bram", "Visser", photo_consent=True, login=True),
                "fleur": _dolfijnen_family(demo, mailpit, "Fleur", "Mulder", photo_consent=True, login=True),
                "fenna": _dolfijnen_family(demo, mailpit, "Fenna", "de Wit", photo_consent=False, login=True)}
    sanne = _api(demo, SANNE)
    for family in families.values():
        _eventually(lambda f=family: sanne.get(f"/timeline/children/{f.child_id}/timeline").status_code == 200,
                    f"the timeline places {family.first_name} in Dolfijnen")
    return families


def _feed_shows(visit: Visit, text: str, also: str = "", timeout: float = 90) -> None:
    """The family's Mijn kind shows an item with the text (and `also`): photos appear one by one as they are
    processed, so the page is reloaded until then."""
    page = visit.page
    deadline = time.monotonic() + timeout
    while True:
        page.goto("/child")
        item = page.locator(".feed-item", has_text=text)
        if item.count() and also in item.first.inner_text():
            return
        assert time.monotonic() < deadline, f"{text!r} {also!r} not in the feed"
        time.sleep(1)


def _downloads_the_original_without_gps(family: Visit, caption: str) -> None:
    page = family.page
    page.locator(".feed-item", has_text=caption).first.get_by_role("link").first.click()
    expect(page.locator("h1")).to_have_text(caption)
    with page.expect_download() as download:
        page.get_by_role("link", name="Downloaden").click()
    original = download.value.path().read_bytes()
    assert original[:3] == b"\xff\xd8\xff" and not samples.has_gps(original)


def _send(page: Any, subject: str, text: str) -> None:
    page.get_by_label("Onderwerp").fill(subject)
    page.get_by_label("Je bericht").fill(text)
    page.get_by_role("button", name="Versturen").click()


def _parent(browser: Any, portal: str, email: str) -> Visit:
    visit = Visit(browser, portal)
    log_in(visit.page, email)
    return visit


def test_staff_post_a_series_tagging_two_children_and_only_their_families_see_it(  # type: ignore[no-untyped-def]
        visit: Visit, dolfijnen: dict[str, Family], browser, portal) -> None:
    bram, fleur, fenna = dolfijnen["bram"], dolfijnen["fleur"], dolfijnen["fenna"]
    page = visit.page
    log_in(page, SANNE)
    page.get_by_role("link", name="Groepen").click()
    expect(page.locator("h1")).to_have_text("Mijn groepen")
    group = page.locator("section.group", has=page.get_by_role("heading", name=re.compile("^Dolfijnen")))
    expect(group).to_contain_text("Sem de Jong")
    expect(group.locator("li", has_text=fenna.full_name)).to_contain_text("geen toestemming om foto's te delen")
    expect(page.locator("section.group", has_text="Zeesterren")).to_contain_text("Yusuf")
    expect(page.locator("main")).not_to_contain_text("Noah")  # Egeltjes is not Sanne's group
    check_screen(page, "staff-groups")

    group.get_by_role("link", name="Foto's plaatsen voor Dolfijnen").click()
    expect(page.locator("h1")).to_have_text("Foto's voor Dolfijnen")
    check_screen(page, "staff-photos")
    caption = f"Samen in de zandbak {uuid.uuid4().hex[:6]}"
    page.get_by_label(bram.full_name).check()
    page.get_by_label(fleur.full_name).check()
    page.get_by_label(re.compile("^Foto's")).set_input_files(files=[
        {"name": f"zandbak-{n}.jpg", "mimeType": "image/jpeg", "buffer": samples.jpeg_with_gps(800, 600)}
        for n in (1, 2)])
    page.get_by_label(re.compile("^Onderschrift")).fill(caption)
    # The demo organisation allows no downloads; this series does.
    page.get_by_label("De originelen downloaden").select_option(label="Ouders mogen ze downloaden")
    page.get_by_role("button", name="Plaatsen").click()
    expect(page.get_by_role("status")).to_have_text(
        "Geplaatst. De gezinnen van de gekozen kinderen zien de foto's in hun tijdlijn.")

    for email in (bram.email, fleur.email):  # both tagged families, each in their own portal
        family = _parent(browser, portal, email)  # type: ignore[arg-type]
        try:
            _feed_shows(family, caption, "2 foto's")
            if email == bram.email:
                _downloads_the_original_without_gps(family, caption)
        finally:
            family.close()
    for email in (ANNE, EVA):  # Sem is in the group but not in the photos; Noah is in another group
        other = _parent(browser, portal, email)
        try:
            other.page.goto("/child")
            expect(other.page.locator("h1")).to_have_text("Mijn kind")
            expect(other.page.locator("main")).not_to_contain_text(caption)
        finally:
            other.close()

    # A child without photo consent: the answer says who will not see the photo, and why.
    page.get_by_label(bram.full_name).check()
    page.get_by_label(fenna.full_name).check()
    page.get_by_label(re.compile("^Foto's")).set_input_files(files=[
        {"name": "buiten.jpg", "mimeType": "image/jpeg", "buffer": samples.jpeg_with_gps(640, 480)}])
    outside = f"Buiten spelen {uuid.uuid4().hex[:6]}"
    page.get_by_label(re.compile("^Onderschrift")).fill(outside)
    page.get_by_role("button", name="Plaatsen").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Geplaatst. Niet elk gezin ziet deze foto's:")
    expect(status).to_contain_text("Voor Fenna is geen toestemming gegeven om foto's te delen: alleen het eigen "
                                   "gezin van Fenna ziet deze foto's.")
    expect(status).to_contain_text("Het gezin van Bram ziet deze foto's niet: voor een ander kind op de foto's is "
                                   "geen toestemming gegeven om foto's te delen.")
    check_screen(page, "staff-photos-notices")
    # Seen from the families: Fenna's own family sees it; Bram's (tagged, but with a child without consent in
    # the photo) and Fleur's (not tagged) do not.
    family = _parent(browser, portal, fenna.email)  # type: ignore[arg-type]
    try:
        _feed_shows(family, outside, "1 foto")
    finally:
        family.close()
    for email in (bram.email, fleur.email):
        other = _parent(browser, portal, email)  # type: ignore[arg-type]
        try:
            other.page.goto("/child")
            expect(other.page.locator("h1")).to_have_text("Mijn kind")
            expect(other.page.locator("main")).not_to_contain_text(outside)
        finally:
            other.close()

    page.get_by_role("button", name="Plaatsen").click()  # nothing ticked: refused with the reason
    expect(page.get_by_role("alert")).to_have_text("Vink de kinderen op de foto's aan.")
    page.goto(f"/groups/{demo_id('group:egeltjes')}/photos")  # not Sanne's group
    expect(page.locator("h1")).to_have_text("Niet gevonden")
    page.goto("/groups")
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("My groups")
    expect(page.get_by_role("link", name="Post photos for Dolfijnen")).to_be_visible()


def test_a_group_message_reaches_each_family_as_its_own_conversation(  # type: ignore[no-untyped-def]
        visit: Visit, dolfijnen: dict[str, Family], demo: Stack, browser, portal) -> None:
    bram = dolfijnen["bram"]
    anne, parent, eva = _api(demo, ANNE), _api(demo, bram.email), _api(demo, EVA)  # type: ignore[arg-type]
    # Messaging learns the new family from the directory's events: once Bram's parent can write about him (one
    # greeting, however often the tests run on kept data).
    greeting = {"Idempotency-Key": demo_id("web-test-greeting:bram")}
    _eventually(lambda: parent.post("/conversations", headers=greeting, json={
        "child_id": bram.child_id, "subject": "Even voorstellen", "text": "Hallo!"}).status_code == 201,
        "messaging knows Bram's family")

    page = visit.page
    log_in(page, SANNE)
    page.goto("/groups")
    page.get_by_role("link", name="Bericht aan alle ouders van Dolfijnen").click()
    expect(page.locator("h1")).to_have_text("Bericht aan de ouders van Dolfijnen")
    check_screen(page, "staff-group-message")
    subject = f"Zwemles vervalt {uuid.uuid4().hex[:6]}"
    _send(page, subject, "Donderdag is er geen zwemles.")
    expect(page.locator("h1")).to_have_text("Mijn groepen")
    expect(page.get_by_role("status")).to_have_text(
        re.compile(r"^Verstuurd aan de ouders van \d+ gezinnen, elk als een eigen gesprek\.$"))

    def conversation(client: httpx.Client) -> str:
        found = [c for c in client.get("/conversations").json()["items"] if c["subject"] == subject]
        assert len(found) == 1, found
        return found[0]["conversation_id"]

    at_anne, at_bram = conversation(anne), conversation(parent)
    assert at_anne != at_bram  # a conversation per family
    assert subject not in eva.get("/conversations").text  # Noah is not a Dolfijn
    answer = parent.post(f"/conversations/{at_bram}/messages", json={"text": "Bram neemt zijn zwemspullen mee."})
    assert answer.status_code == 201, answer.text
    assert "zwemspullen" not in anne.get(f"/conversations/{at_anne}").text  # one family's answer stays theirs

    family = Visit(browser, portal)  # Anne reads it in her portal
    try:
        log_in(family.page, ANNE)
        family.page.goto("/conversations")
        family.page.locator(".conversation", has_text=subject).click()
        expect(family.page.locator(".message.theirs")).to_contain_text("Donderdag is er geen zwemles.")
    finally:
        family.close()


def test_staff_write_a_diary_entry_the_childs_family_reads(  # type: ignore[no-untyped-def]
        visit: Visit, demo: Stack, browser, portal) -> None:
    page = visit.page
    log_in(page, SANNE)
    page.goto("/groups")
    page.get_by_role("link", name="Dagboek schrijven over Sem").click()
    expect(page.locator("h1")).to_have_text("Dagboek schrijven")
    expect(page.get_by_label(re.compile("^Sem de Jong"))).to_be_checked()
    check_screen(page, "staff-diary")
    text = f"Sem heeft vandaag een toren van tien blokken gebouwd ({uuid.uuid4().hex[:6]})."
    page.get_by_label("Wat wil je de ouders vertellen?").fill(text)
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status")).to_have_text(
        "Het dagboekverslag is opgeslagen: het gezin van het kind leest het in de tijdlijn.")

    family = Visit(browser, portal)
    try:
        log_in(family.page, ANNE)
        _feed_shows(family, text, "Sanne Bakker")
    finally:
        family.close()
    assert text not in _api(demo, EVA).get("/timeline/feed").text


def test_staff_post_a_video_where_videos_are_on_and_hear_why_not_where_they_are_off(  # type: ignore[no-untyped-def]
        visit: Visit, dolfijnen: dict[str, Family], demo: Stack, browser, portal) -> None:
    bram = dolfijnen["bram"]
    operator = httpx.Client(base_url=demo.url(GATEWAY) + "/api/v1", timeout=30,
                            headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
    settings_path = f"/admin/organisations/{REGENBOOG}/media-settings"
    before = operator.get(settings_path).json()
    kept = {k: before[k] for k in ("downloads_allowed", "videos_enabled", "photo_retention_months")}
    page = visit.page
    log_in(page, SANNE)
    try:
        assert operator.put(settings_path, json={**kept, "videos_enabled": True}).status_code == 200
        page.goto(f"/groups/{DOLFIJNEN}/photos")
        caption = f"Dansen in de gymzaal {uuid.uuid4().hex[:6]}"
        page.get_by_label(bram.full_name).check()
        page.get_by_label(re.compile("^Foto's en video's")).set_input_files(files=[
            {"name": "dansen.mp4", "mimeType": "video/mp4", "buffer": samples.video_with_gps(2)}])
        page.get_by_label(re.compile("^Onderschrift")).fill(caption)
        page.get_by_role("button", name="Plaatsen").click()
        expect(page.get_by_role("status")).to_contain_text("Geplaatst.")
        family = _parent(browser, portal, bram.email)
        try:
            _feed_shows(family, caption)
            family.page.locator(".feed-item", has_text=caption).first.get_by_role("link").first.click()
            video = family.page.locator("figure.photo video")
            expect(video).to_have_attribute("src", re.compile("^/media/"))
            expect(video).to_have_attribute("poster", re.compile("^/media/"))
            check_screen(family.page, "series-video")
        finally:
            family.close()

        assert operator.put(settings_path, json={**kept, "videos_enabled": False}).status_code == 200
        page.goto(f"/groups/{DOLFIJNEN}/photos")
        page.get_by_label(bram.full_name).check()
        page.get_by_label(re.compile("^Foto's en video's")).set_input_files(files=[
            {"name": "nog-een.mp4", "mimeType": "video/mp4", "buffer": samples.video_with_gps(2)}])
        page.get_by_role("button", name="Plaatsen").click()
        # Refused with the reason: by processing, or by the post when processing finished first.
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text(re.compile(
            r"^(Een foto of video kon niet worden verwerkt\.|De foto's zijn niet geplaatst\.)"))
        expect(alert.locator(".detail")).to_contain_text(re.compile("video", re.IGNORECASE))
    finally:
        operator.put(settings_path, json=kept)


def test_staff_start_a_conversation_with_the_parents_of_one_child(  # type: ignore[no-untyped-def]
        visit: Visit, demo: Stack) -> None:
    page = visit.page
    log_in(page, SANNE)
    page.goto("/groups")
    page.get_by_role("link", name="Bericht aan de ouders van Sem").click()
    expect(page.locator("h1")).to_have_text("Bericht aan de ouders van Sem")
    check_screen(page, "staff-child-message")
    subject = f"Sem's knuffel {uuid.uuid4().hex[:6]}"
    _send(page, subject, "Sem heeft zijn knuffel hier laten liggen.")
    expect(page.locator("h1")).to_have_text(subject)
    expect(page.locator(".message.mine")).to_contain_text("Sem heeft zijn knuffel hier laten liggen.")

    for email in (ANNE, MARK):  # both of Sem's parents, each in their own list
        found = [c for c in _api(demo, email).get("/conversations").json()["items"] if c["subject"] == subject]
        assert len(found) == 1 and found[0]["unread"] == 1, (email, found)
    assert subject not in _api(demo, EVA).get("/conversations").text  # another family

    noah = demo_id("child:noah")  # of Egeltjes, not in this group
    page.goto(f"/groups/{DOLFIJNEN}/children/{noah}/message")
    expect(page.locator("h1")).to_have_text("Niet gevonden")
