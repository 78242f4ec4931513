"""The staff and planning-office screens in a real browser against the real stack: staff answer a parent's message
(and cannot start one about a child), the planning office rejects a request with a reason the parents read."""

import random
import re
import uuid
from datetime import date, timedelta

import httpx
from konnect_devstack.demo import demo_id
from konnect_devstack.stack import GATEWAY, Stack
from konnect_kit.media.sample_documents import pdf
from playwright.sync_api import expect
from web_browser import ANNE, DEMO_PASSWORD, Visit, check_screen, log_in

SANNE = "sanne.bakker@demo.konnect.nl"  # staff of Sem's group
PETRA = "petra.visser@demo.konnect.nl"  # the planning office of De Regenboog
SEM = demo_id("child:sem")


def _api_login(stack: Stack, email: str) -> httpx.Client:
    client = httpx.Client(base_url=stack.url(GATEWAY) + "/api/v1", timeout=30)
    tokens = client.post("/auth/login", json={"email": email, "password": DEMO_PASSWORD}).json()
    client.headers["Authorization"] = f"Bearer {tokens['access_token']}"
    return client


def test_staff_answer_a_parents_message_in_the_portal(visit: Visit, demo: Stack) -> None:
    anne = _api_login(demo, ANNE)
    subject = f"Knuffel vergeten {uuid.uuid4().hex[:6]}"
    started = anne.post("/conversations", json={"child_id": SEM, "subject": subject,
                                                "text": "Ligt zijn knuffel nog daar?"})
    assert started.status_code == 201, started.text
    conversation = started.json()["conversation_id"]

    page = visit.page
    log_in(page, SANNE)
    page.get_by_role("link", name=re.compile("^Berichten")).click()
    expect(page.get_by_role("link", name="Nieuw bericht")).to_have_count(0)  # parents start conversations
    page.locator(".conversation", has_text=subject).click()
    expect(page.locator(".message.theirs")).to_contain_text("Ligt zijn knuffel nog daar?")
    page.get_by_label("Je bericht").fill("Ja, hij ligt in zijn bakje.")
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_role("status")).to_have_text("Je bericht is verstuurd.")
    expect(page.locator(".message.mine").last).to_contain_text("Ja, hij ligt in zijn bakje.")
    check_screen(page, "staff-conversation")
    texts = [m["text"] for m in anne.get(f"/conversations/{conversation}").json()["messages"]]
    assert texts[-1] == "Ja, hij ligt in zijn bakje."


def test_the_planning_office_rejects_a_request_with_a_reason_the_parents_read(visit: Visit, demo: Stack) -> None:
    anne = _api_login(demo, ANNE)
    today = date.today()
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 + 7 * random.randint(45, 90))  # Sem: no care
    options = anne.get(f"/availability/{SEM}/{wednesday}").json()["options"]
    part = next(o["day_part_id"] for o in options if o["possible"])
    made = anne.post("/requests/extra-days", json={"bookings": [{"starts_on": wednesday.isoformat(), "children": [
        {"child_id": SEM, "day_part_ids": [part], "payment": "invoice"}]}]})
    assert made.status_code in (200, 201), made.text
    request_id = made.json()["request_id"]

    page = visit.page
    log_in(page, PETRA)
    page.get_by_role("link", name="Beoordelen").click()
    expect(page.locator("h1")).to_have_text("Aanvragen beoordelen")
    form = page.locator(f"form[action='/evaluation/{request_id}/{SEM}']")
    expect(form).to_be_visible()
    check_screen(page, "evaluation")
    form.get_by_role("button", name="Afwijzen").click()  # without a reason: refused, nothing stored
    expect(page.get_by_role("alert")).to_contain_text("Bij afwijzen hoort een reden")
    assert anne.get(f"/requests/{request_id}").json()["status"] == "pending"
    form = page.locator(f"form[action='/evaluation/{request_id}/{SEM}']")
    form.get_by_label(re.compile("Reden voor de ouders")).fill("De groep is die dag vol.")
    form.get_by_role("button", name="Afwijzen").click()
    expect(page.get_by_role("status")).to_have_text("Afgewezen. De ouders lezen je reden.")
    expect(page.locator(f"form[action='/evaluation/{request_id}/{SEM}']")).to_have_count(0)
    decided = anne.get(f"/requests/{request_id}").json()
    assert decided["status"] == "rejected"
    assert decided["children"][0]["lines"][0]["evaluation_reason"] == "De groep is die dag vol."


def test_staff_publish_news_with_a_pdf_for_their_group_and_its_families_read_it(  # type: ignore[no-untyped-def]
        visit: Visit, browser, portal) -> None:
    page = visit.page
    log_in(page, SANNE)
    page.get_by_role("link", name="Nieuws").click()
    expect(page.locator("h1")).to_have_text("Nieuws plaatsen")
    check_screen(page, "publish")
    title = f"Schoenendoos meenemen {uuid.uuid4().hex[:6]}"
    page.get_by_label("Wie mag het lezen").select_option(label="Groep Dolfijnen")
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Tekst").fill("Morgen knutselen we.\n\nGraag een <schoenendoos> meegeven.")
    page.get_by_label(re.compile("Bijlage")).set_input_files(files=[
        {"name": "knutselen.pdf", "mimeType": "application/pdf", "buffer": pdf("Knutselen met een schoenendoos")}])
    page.get_by_role("button", name="Plaatsen").click()
    expect(page.get_by_role("status")).to_have_text("Geplaatst. Gezinnen zien het bij Mijn locatie.")

    anne = Visit(browser, portal)  # Sem is a Dolfijn: his family reads it, the text as typed (escaped)
    try:
        log_in(anne.page, ANNE)
        anne.page.goto("/location")
        anne.page.get_by_role("link", name=re.compile(title)).click()
        expect(anne.page.locator(".rich")).to_contain_text("Graag een <schoenendoos> meegeven.")
        expect(anne.page.locator(".files")).to_contain_text("knutselen.pdf")
    finally:
        anne.close()
    eva = Visit(browser, portal)  # Noah is not a Dolfijn
    try:
        log_in(eva.page, "eva.jansen@demo.konnect.nl")
        eva.page.goto("/location")
        expect(eva.page.locator("h1")).to_have_text("Mijn locatie")
        expect(eva.page.locator("main")).not_to_contain_text(title)
    finally:
        eva.close()
