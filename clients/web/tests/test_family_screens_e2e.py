"""Mijn kind, Berichten, Mijn locatie and Meldingen in a real browser against the real stack: what a parent sees
(and that one family never sees another family's child), writing a diary entry with a photo, a message with a
photo that staff answer, news with its PDF, observations, the inbox with its badge."""

import re
import uuid

import httpx
from konnect_devstack.pytest_plugin import internal_headers
from konnect_devstack.stack import DOMAIN_SERVICES, GATEWAY, Stack
from konnect_kit.media import samples
from playwright.sync_api import expect
from web_browser import ANNE, DEMO_PASSWORD, MARK, Visit, check_screen, log_in

EVA = "eva.jansen@demo.konnect.nl"  # Noah's mother: another family of the same organisation
SANNE = "sanne.bakker@demo.konnect.nl"  # staff of Sem's group (Dolfijnen)


def _api_login(stack: Stack, email: str) -> httpx.Client:
    client = httpx.Client(base_url=stack.url(GATEWAY) + "/api/v1", timeout=30)
    tokens = client.post("/auth/login", json={"email": email, "password": DEMO_PASSWORD}).json()
    client.headers["Authorization"] = f"Bearer {tokens['access_token']}"
    return client


def _image_loaded(locator) -> bool:  # type: ignore[no-untyped-def]
    """Waits (bounded) for the image to finish loading: true when it decoded to real pixels."""
    return bool(locator.evaluate("""img => new Promise(done => {
        const result = () => done(img.naturalWidth > 0);
        if (img.complete) return result();
        img.addEventListener("load", result, {once: true});
        img.addEventListener("error", result, {once: true});
        setTimeout(result, 20000);
    })"""))


def test_my_child_shows_the_familys_photos_and_diary_pages_a_series_and_writes_a_diary_entry(visit: Visit) -> None:
    page = visit.page
    log_in(page, ANNE)
    page.get_by_role("link", name="Mijn kind").click()
    expect(page.locator("h1")).to_have_text("Mijn kind")
    feed = page.locator("#feed")
    expect(feed).to_contain_text("Buiten spelen in de zandbak")  # Sem's group
    expect(feed).to_contain_text("Hutten bouwen")  # Lotte's group
    # Noah's and Yusuf's photos belong to other families.
    expect(feed).not_to_contain_text("Naar de kinderboerderij")
    expect(feed).not_to_contain_text("Verven met vingerverf")
    expect(feed).not_to_contain_text("Noah")
    first_thumb = feed.locator(".thumbs img").first
    expect(first_thumb).to_be_visible()
    assert _image_loaded(first_thumb)  # streamed through the portal, same origin
    check_screen(page, "my-child")

    feed.locator(".feed-item", has_text="Buiten spelen in de zandbak").locator("a").first.click()
    expect(page.locator("h1")).to_have_text("Buiten spelen in de zandbak")
    expect(page.locator("figcaption")).to_have_text("Foto 1 van 3")
    page.get_by_role("link", name="Volgende foto").click()
    expect(page.locator("figcaption")).to_have_text("Foto 2 van 3")
    assert _image_loaded(page.locator(".photo img"))
    expect(page.get_by_role("link", name="Volledig formaat")).to_be_visible()
    check_screen(page, "photo-series")
    download = page.get_by_role("link", name="Downloaden")
    if download.count():  # where the organisation allows downloads
        with page.expect_download() as info:
            download.click()
        assert info.value.suggested_filename.startswith("konnect-")
    else:
        expect(page.get_by_text("staat downloaden van deze foto's niet toe")).to_be_visible()

    page.get_by_role("link", name="Terug naar Mijn kind").click()
    page.get_by_role("link", name="Dagboek schrijven").click()
    check_screen(page, "diary-new")
    text = f"Sem heeft vandaag een toren gebouwd {uuid.uuid4().hex[:6]}"
    page.get_by_label("Sem").check()
    page.get_by_label("Wat wil je vertellen?").fill(text)
    page.get_by_label(re.compile("Foto's")).set_input_files(
        files=[{"name": "toren.jpg", "mimeType": "image/jpeg", "buffer": samples.jpeg_with_gps(800, 600)}])
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status")).to_have_text("Je dagboekbericht is opgeslagen.")
    entry = page.locator(".feed-item", has_text=text)
    expect(entry).to_contain_text("Door jou geschreven")
    expect(entry.locator("img")).to_have_count(1)
    assert visit.foreign_requests() == []


def test_load_more_pages_the_feed_with_the_cursor(visit: Visit) -> None:
    page = visit.page
    log_in(page, ANNE)
    page.goto("/child")
    more = page.get_by_role("link", name="Meer laden")
    if not more.count():  # fewer items than one page: nothing to load
        return
    before = page.locator(".feed-item").count()
    more.click()
    expect(page.locator(".feed-item")).not_to_have_count(before)
    assert page.locator(".feed-item").count() > before


def test_another_family_sees_only_its_own_child(visit: Visit, demo: Stack) -> None:
    page = visit.page
    log_in(page, EVA)
    page.goto("/child")
    feed = page.locator("#feed")
    expect(feed).to_contain_text("Naar de kinderboerderij")  # Noah's
    expect(feed).not_to_contain_text("Buiten spelen in de zandbak")
    expect(feed).not_to_contain_text("Sem")
    # A series of Anne's family by its address: not found, nothing shown.
    anne = _api_login(demo, ANNE)
    series = next(i["series"]["series_id"] for i in anne.get("/timeline/feed", params={"limit": 50}).json()["items"]
                  if i["series"] and i["series"]["caption"] == "Buiten spelen in de zandbak")
    response = page.goto(f"/photos/{series}")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Niet gevonden")


def test_anne_writes_with_a_photo_staff_answer_and_the_badge_and_inbox_lead_to_the_reply(
        visit: Visit, demo: Stack) -> None:
    page = visit.page
    log_in(page, ANNE)
    page.get_by_role("link", name="Berichten").click()
    expect(page.locator("h1")).to_have_text("Berichten")
    check_screen(page, "messages")
    page.get_by_role("link", name="Nieuw bericht").click()
    subject = f"Ophalen vrijdag {uuid.uuid4().hex[:6]}"
    page.get_by_label("Sem").check()
    page.get_by_label("Onderwerp").fill(subject)
    page.get_by_label("Je bericht").fill("Opa haalt Sem vrijdag op. Zie de foto.")
    page.get_by_label(re.compile("Bijlage")).set_input_files(
        files=[{"name": "opa.jpg", "mimeType": "image/jpeg", "buffer": samples.jpeg_with_gps(640, 480)}])
    check_screen(page, "message-new")
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_role("status")).to_have_text("Je bericht is verstuurd.")
    expect(page.locator("h1")).to_have_text(subject)
    mine = page.locator(".message.mine").last
    expect(mine).to_contain_text("Opa haalt Sem vrijdag op.")
    expect(mine.locator("img")).to_have_count(1)
    assert _image_loaded(mine.locator("img"))
    # A sent message has no edit or delete.
    expect(page.get_by_role("button", name=re.compile("Wijzig|Verwijder|Bewerk"))).to_have_count(0)
    conversation_id = page.url.split("/conversations/")[1].split("?")[0]

    sanne = _api_login(demo, SANNE)
    answer = sanne.post(f"/conversations/{conversation_id}/messages", json={"text": "Prima, dank je wel!"})
    assert answer.status_code == 201, answer.text

    page.goto("/agenda")
    # The navigation's badges come with a light poll: unread messages and notifications.
    expect(page.locator("#badge-messages .count")).to_be_visible()
    expect(page.locator("#badge-inbox .count")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Berichten")).click()
    row = page.locator(".conversation", has_text=subject)
    expect(row).to_contain_text("1 ongelezen")
    expect(row).to_contain_text("Prima, dank je wel!")

    page.get_by_role("link", name=re.compile("^Meldingen")).click()
    expect(page.locator("h1")).to_have_text("Meldingen")
    item = page.locator(".inbox-item.unread").first
    expect(item).to_be_visible()
    check_screen(page, "inbox")
    page.locator(".inbox-item", has_text=re.compile("bericht", re.I)).first.click()
    expect(page).to_have_url(re.compile(r"/conversations/"))
    page.goto(f"/conversations/{conversation_id}")
    expect(page.locator(".message.theirs").last).to_contain_text("Prima, dank je wel!")
    check_screen(page, "conversation")
    page.goto("/inbox")
    if page.get_by_role("button", name="Alles als gelezen markeren").count():
        page.get_by_role("button", name="Alles als gelezen markeren").click()
    expect(page.locator(".inbox-item.unread")).to_have_count(0)
    expect(page.locator("#badge-inbox .count")).to_have_count(0)
    assert visit.foreign_requests() == []


def test_another_family_cannot_open_annes_conversation(visit: Visit, demo: Stack) -> None:
    anne = _api_login(demo, ANNE)
    conversation = anne.get("/conversations").json()["items"][0]["conversation_id"]
    page = visit.page
    log_in(page, EVA)
    response = page.goto(f"/conversations/{conversation}")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("Sem")


def test_my_location_shows_contact_team_news_with_its_pdf_info_pages_and_observations(visit: Visit) -> None:
    page = visit.page
    log_in(page, ANNE)
    page.get_by_role("link", name="Locatie").click()
    expect(page.locator("h1")).to_have_text("Mijn locatie")
    expect(page.locator("address").first).to_be_visible()
    expect(page.locator(".team")).to_contain_text("Sanne")
    expect(page.locator("main")).to_contain_text("Nieuwsbrief juni")
    expect(page.locator("main")).to_contain_text("Openingstijden en ophalen")
    expect(page.locator("main")).not_to_contain_text("Welkom bij Het Speelhuis")  # another organisation's page
    check_screen(page, "location")
    page.get_by_role("link", name=re.compile("Zomerfeest op vrijdag 3 juli")).click()
    expect(page.locator("h1")).to_have_text("Zomerfeest op vrijdag 3 juli")
    expect(page.locator(".rich strong")).to_have_text("vrijdag 3 juli")  # the API's sanitised HTML, formatted
    check_screen(page, "news-item")
    pdf = page.locator(".files a").first
    with page.expect_download() as info:
        pdf.click()
    assert info.value.suggested_filename.endswith(".pdf")
    with open(info.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"

    page.goto("/observations")
    sem = page.locator("section", has_text="Sem")
    expect(sem.locator(".card").first).to_be_visible()
    sem.locator(".card").first.click()
    expect(page.locator(".answers")).to_contain_text("Sem bouwt graag hoge torens")
    check_screen(page, "observation")


def test_the_new_screens_in_english(visit: Visit) -> None:
    page = visit.page
    log_in(page, ANNE)
    page.get_by_role("button", name="English").click()
    screens = [("/child", "My child"), ("/conversations", "Messages"), ("/conversations/new", "New message"),
               ("/location", "My location"), ("/observations", "Observations"), ("/inbox", "Notifications"),
               ("/diary/new", "Write in the diary")]
    for path, title in screens:
        page.goto(path)
        expect(page.locator("h1")).to_have_text(title)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        check_screen(page, "en" + path.replace("/", "-"))
    # The consents in the page's language, though Anne's account is Dutch.
    page.goto("/profile")
    expect(page.locator("#children-title")).to_have_text("My children")
    expect(page.locator("main")).to_contain_text("Photos may be shared with other parents")
    expect(page.locator("main")).not_to_contain_text("Foto's mogen gedeeld worden met andere ouders")
    page.goto("/child")
    page.locator(".feed-item .thumbs a[href^='/photos/']").first.click()
    expect(page.locator("figcaption")).to_contain_text(re.compile(r"Photo 1 of \d+"))
    check_screen(page, "en-photo-series")


def test_notification_settings_show_a_mailbox_that_stopped_and_turn_message_previews_on(visit: Visit,
                                                                                       demo: Stack) -> None:
    # The mail provider reports Mark's mailbox as bouncing (its webhook, as a platform operator would send it).
    notifications = next(spec for spec in DOMAIN_SERVICES if spec.name == "notifications")
    bounced = httpx.post(demo.url(notifications) + "/mail-bounces", json={"email": MARK, "kind": "bounce"},
                         headers=internal_headers("platform_operator", "mail-provider"), timeout=30)
    assert bounced.status_code == 200, bounced.text
    page = visit.page
    log_in(page, MARK)
    page.goto("/profile")
    settings = page.locator("section", has=page.locator("#notify-title"))
    if page.locator("html").get_attribute("lang") != "nl":  # Mark's own language may be English: Dutch here
        page.get_by_role("button", name="Nederlands").click()
    expect(settings.get_by_role("alert")).to_contain_text(f"Onze e-mails aan {MARK} komen niet aan")
    preview = settings.get_by_label("Toon het begin van een nieuw bericht in de pushmelding en de e-mail")
    expect(preview).not_to_be_checked()
    preview.check()
    settings.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(preview).to_be_checked()  # read back from the API after the redirect
    check_screen(page, "notification-settings")

    settings.get_by_role("button", name="Mijn mailbox werkt weer").click()
    expect(settings.get_by_role("alert")).to_have_count(0)
    preview.uncheck()  # leave Mark as the demo has him
    settings.get_by_role("button", name="Opslaan").click()
    expect(preview).not_to_be_checked()


def test_the_calendar_link_is_shown_once_serves_the_agenda_and_stops_working_when_renewed_or_off(
        visit: Visit) -> None:
    page = visit.page
    log_in(page, ANNE)
    page.goto("/agenda")
    page.get_by_role("link", name="Agenda in je eigen agenda-app").click()
    feed = page.locator("#calendar-feed")
    if feed.get_by_role("button", name="Uitzetten").count():  # left on by an earlier run that kept its data
        feed.get_by_role("button", name="Uitzetten").click()
    page.locator("#calendar-feed").get_by_role("button", name="Aanzetten").click()
    url = page.get_by_label("Je agendalink (je ziet hem één keer: kopieer hem nu)").input_value()
    check_screen(page, "calendar-feed")
    calendar = httpx.get(url, timeout=30)
    assert calendar.status_code == 200 and calendar.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in calendar.text and "Sem" in calendar.text
    expect(page.get_by_role("link", name="Openen in mijn agenda-app")).to_have_attribute(
        "href", re.compile(r"^webcal://"))

    page.goto("/profile")  # shown once: a later visit shows only that it is on
    expect(page.locator("#calendar-feed")).to_contain_text("Aan sinds")
    expect(page.get_by_label("Je agendalink (je ziet hem één keer: kopieer hem nu)")).to_have_count(0)

    page.locator("#calendar-feed").get_by_role("button", name=re.compile("^Nieuwe link maken")).click()
    renewed = page.get_by_label("Je agendalink (je ziet hem één keer: kopieer hem nu)").input_value()
    assert renewed != url
    assert httpx.get(url, timeout=30).status_code == 404  # the old link stopped working
    assert httpx.get(renewed, timeout=30).status_code == 200

    page.locator("#calendar-feed").get_by_role("button", name="Uitzetten").click()
    expect(page.locator("#calendar-feed")).to_contain_text("Uit.")
    assert httpx.get(renewed, timeout=30).status_code == 404
