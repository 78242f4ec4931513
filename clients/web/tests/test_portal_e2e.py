"""The portal in a real browser against the real stack: Anne's day (agenda, extra day, overview, language, log
out), wrong password, a login at two organisations, forgotten password by mail, CSRF, CSP and the script budget."""

import random
import re
from datetime import date, timedelta

import httpx
from playwright.sync_api import expect
from web_browser import ANNE, Visit, check_screen, log_in

_TAKEN: set[date] = set()


def weekday_ahead(weekday: int) -> date:
    """A date of the given weekday some weeks ahead, different per run so reruns never meet their own requests,
    and never one another test of this run already took (a swap and an extra day on one Wednesday collide)."""
    today = date.today()
    while True:
        day = today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * random.randint(3, 40))
        if day not in _TAKEN:
            _TAKEN.add(day)
            return day


def test_anne_requests_an_extra_day_in_dutch_sees_it_switches_to_english_and_logs_out(
        visit: Visit, sem_credit: str) -> None:
    page = visit.page
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Inloggen")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    check_screen(page, "login")
    log_in(page, ANNE)

    expect(page.locator("h1")).to_have_text("Agenda")
    expect(page.locator(".days")).to_contain_text("Sem")
    expect(page.locator(".days")).to_contain_text("Ochtend 07:30\u201313:00")
    check_screen(page, "agenda-week")
    page.get_by_role("link", name="Maand").click()
    expect(page.locator("table.month")).to_be_visible()
    check_screen(page, "agenda-month")

    wednesday = weekday_ahead(2)  # Sem has no care on Wednesdays
    page.get_by_role("link", name="Dag aanvragen").first.click()
    expect(page.locator("h1")).to_have_text("Dag aanvragen")
    page.get_by_label("Lotte").uncheck()
    page.locator("#day").fill(wednesday.isoformat())
    page.get_by_role("button", name="Beschikbaarheid tonen").click()
    sem = page.locator("fieldset", has_text="Betaling voor Sem")
    expect(sem.get_by_text("€ 52,50").first).to_be_visible()
    check_screen(page, "extra-day")
    sem.get_by_label(re.compile(r"^Ochtend")).check()
    sem.get_by_label(re.compile(f"Met tegoed: {sem_credit}")).check()
    page.get_by_role("button", name="Indienen").click()

    expect(page.locator("h1")).to_have_text("Aanvragenoverzicht")
    expect(page.get_by_role("status")).to_contain_text("Je aanvraag is ingediend")
    first = page.locator(".request").first
    expect(first).to_contain_text("Extra dag")
    expect(first).to_contain_text("Met een tegoed")
    expect(first).to_contain_text(f"{wednesday.day}")
    check_screen(page, "requests")

    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Request overview")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".request").first).to_contain_text("Extra day")

    page.get_by_role("link", name="More").click()
    check_screen(page, "profile")
    page.get_by_role("button", name="Log out", exact=True).click()
    expect(page.locator("h1")).to_have_text("Log in")
    expect(page.get_by_role("status")).to_have_text("You have been logged out.")
    page.goto("/agenda")
    expect(page.locator("h1")).to_have_text("Log in")  # the session is gone
    assert visit.foreign_requests() == []


def test_a_wrong_password_shows_the_message(visit: Visit) -> None:
    log_in(visit.page, ANNE, "not-the-password")
    expect(visit.page.get_by_role("alert")).to_have_text("E-mailadres of wachtwoord is onjuist.")
    expect(visit.page.locator("#email")).to_have_value(ANNE)


def test_a_login_at_two_organisations_chooses_one(visit: Visit) -> None:
    page = visit.page
    log_in(page, "fatima.yilmaz@demo.konnect.nl")
    expect(page.get_by_role("group")).to_contain_text("Deze login bestaat bij meerdere organisaties")
    page.get_by_label(re.compile("Organisatie 2")).check()
    page.locator("#password").fill("konnect-demo")  # never sent back in the page: typed again
    page.get_by_role("button", name="Inloggen").click()
    expect(page.locator("h1")).to_have_text("Agenda")
    expect(page.locator(".days")).to_contain_text(re.compile("Yusuf|Elif"))


def test_every_page_sends_a_strict_csp_and_loads_nothing_from_elsewhere(visit: Visit) -> None:
    page = visit.page
    response = page.goto("/login")
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    log_in(page, ANNE)
    for path in ("/agenda", "/agenda?view=month", "/requests", "/credits", "/profile", "/requests/new/extra-day"):
        response = page.goto(path)
        assert response.status == 200, path
        assert response.headers["content-security-policy"] == csp
        assert response.headers["cache-control"] == "no-store"
        assert "server" not in response.headers  # the software behind the portal stays unnamed
    cookie = next(c for c in visit.context.cookies() if c["name"] == "konnect_session")
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Lax"
    assert "access_token" not in cookie["value"] and "eyJ" not in cookie["value"]  # encrypted, not readable
    assert visit.foreign_requests() == []
    # The only script is our own copy of htmx, and no page loads more than 100 KB of JavaScript.
    assert list(visit.script_bytes) == [f"{visit.portal}/static/vendor/htmx-2.0.11.min.js"]
    assert sum(visit.script_bytes.values()) < 100_000


def test_a_post_without_the_csrf_token_is_refused(visit: Visit, portal: str) -> None:
    page = visit.page
    page.goto("/login")
    # Same browser, same session cookie, but no token: refused, nothing done.
    answer = page.request.post("/login", form={"email": ANNE, "password": "konnect-demo"})
    assert answer.status == 403
    answer = page.request.post("/login", form={"email": ANNE, "password": "konnect-demo", "csrf_token": "forged"})
    assert answer.status == 403
    # Without any session at all (a page elsewhere posting to us).
    assert httpx.post(f"{portal}/logout", data={"scope": "everywhere"}).status_code == 403
    page.goto("/agenda")
    expect(page.locator("h1")).to_have_text("Inloggen")  # the refused login did not log anyone in


def test_forgotten_password_by_mail_then_log_in_with_the_new_one(visit: Visit, mailpit) -> None:  # type: ignore[no-untyped-def]
    email = "eva.jansen@demo.konnect.nl"
    before = mailpit.count(email)
    page = visit.page
    page.goto("/login")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    page.locator("#email").fill(email)
    page.get_by_role("button", name="Link versturen").click()
    expect(page.get_by_role("status")).to_contain_text("hebben we een e-mail gestuurd")
    check_screen(page, "forgot-password")

    link = _wait_for_link(mailpit, email, before, "reset-password")
    assert link.startswith(visit.portal + "/reset-password?token=")  # the mail opens this portal
    page.goto(link)
    expect(page.locator("h1")).to_have_text("Kies een nieuw wachtwoord")
    page.locator("#password").fill("konnect-demo")  # the demo password again, for the other tests
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_role("status")).to_have_text("Je wachtwoord is ingesteld. Je kunt nu inloggen.")
    log_in(page, email)
    expect(page.locator("h1")).to_have_text("Agenda")
    expect(page.locator(".days")).to_contain_text("Noah")
    page.goto(link)  # a used link is refused with a message
    page.locator("#password").fill("another-password-1")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("ongeldig, al gebruikt of verlopen")


def _wait_for_link(mailpit, email: str, before: int, path: str) -> str:  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if mailpit.count(email) > before:
            newest = mailpit.messages_to(email)[0]
            text = mailpit.message(newest["ID"])["Text"]
            found = re.search(rf"(http\S+/{path}\?token=[A-Za-z0-9_%\-]+)", text)
            if found:
                return found.group(1)
        time.sleep(0.3)
    raise AssertionError(f"no {path} mail to {email}")


def test_staff_get_an_explanation_on_the_family_screens_and_a_bad_address_is_not_found(visit: Visit) -> None:
    page = visit.page
    log_in(page, "sanne.bakker@demo.konnect.nl")
    expect(page.locator("h1")).to_have_text("Berichten")  # staff start at their messages
    page.goto("/agenda")
    expect(page.locator("h1")).to_have_text("Voor ouders")
    check_screen(page, "staff-explanation")
    page.goto("/login?add=1")  # a second account on the device
    log_in(page, ANNE, goto=False)
    response = page.goto("/agenda/not-a-child/2026-01-01")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Niet gevonden")
