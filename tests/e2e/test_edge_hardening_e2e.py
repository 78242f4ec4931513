"""At the gateway: security headers on every answer, /docs from local assets only, and names that show something."""

import re

from e2e_world import OPERATOR, bearer, build_world, client_ip, logged_in, new_id

BLANK_NAMES = (" ", "   ", "\t\n", "\u200b", "\u00a0\u2003", "\u200d\u200e", "...")


def assert_base_headers(response) -> None:  # type: ignore[no-untyped-def]
    assert response.headers["x-content-type-options"] == "nosniff", response.headers
    assert response.headers["referrer-policy"] == "no-referrer", response.headers
    assert "content-security-policy" in response.headers, response.headers
    assert "server" not in response.headers, response.headers  # the software behind the API stays unnamed


async def test_security_headers_on_tokens_personal_data_errors_and_health(gateway, mailpit):
    w = await build_world(gateway)
    tokens_answer = await gateway.post("/api/v1/auth/invitation/accept", headers=client_ip(),
                                       json={"token": "not-a-token", "password": "a good long password"})
    assert tokens_answer.status_code in (400, 401, 404, 410, 422), tokens_answer.text
    assert_base_headers(tokens_answer)
    assert tokens_answer.headers["cache-control"] == "no-store"

    tokens = await logged_in(gateway, mailpit, w.parents["eva"][1])
    refreshed = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]},
                                   headers=client_ip())
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.headers["cache-control"] == "no-store"  # a token response
    assert_base_headers(refreshed)
    for path in ("/api/v1/me", "/api/v1/account", "/api/v1/agenda"):
        personal = await gateway.get(path, headers=bearer(refreshed.json()))
        assert personal.status_code == 200, (path, personal.text)
        assert personal.headers["cache-control"] == "no-store", path
        assert personal.headers["content-security-policy"].startswith("default-src 'none'"), path
        assert_base_headers(personal)
    refused = await gateway.get("/api/v1/me")  # no token: the 401 carries them as well
    assert refused.status_code == 401 and refused.headers["cache-control"] == "no-store"
    assert_base_headers(refused)
    health = await gateway.get("/health")
    assert_base_headers(health)


async def test_docs_load_nothing_from_another_host(gateway):
    page = await gateway.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert_base_headers(page)
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe-eval" not in csp
    assert not re.search(r"https?:|//", re.sub(r"<!doctype html>", "", page.text, flags=re.I)), page.text
    assert "<script>" not in page.text  # no inline script: the CSP allows none
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/docs/assets/") for s in sources), sources
    for source in sources:
        asset = await gateway.get(source)
        assert asset.status_code == 200, source
        assert asset.headers["x-content-type-options"] == "nosniff"
    start = await gateway.get("/docs/assets/start.js")
    assert "validatorUrl: null" in start.text and "/openapi.json" in start.text
    assert (await gateway.get("/docs/assets/..%2F__init__.py")).status_code == 404
    assert (await gateway.get("/docs/assets/core.py")).status_code == 404
    assert (await gateway.get("/openapi.json")).status_code == 200


async def test_names_need_a_visible_character(gateway, mailpit):
    w = await build_world(gateway)
    family = w.families["devries"]
    kinds = {
        f"/api/v1/platform/organisations/{w.org}": ({"name": "Kinderopvang Test"}, ["name"]),
        f"/api/v1/admin/directory/locations/{w.location}": ({"organisation_id": w.org, "name": "Centrum"}, ["name"]),
        f"/api/v1/admin/directory/groups/{w.groups['dolfijnen']}": (
            {"organisation_id": w.org, "location_id": w.location, "name": "Dolfijnen", "care_type": "day_care"},
            ["name"]),
        f"/api/v1/admin/directory/staff/{w.staff['sanne']}": ({"organisation_id": w.org, "name": "Sanne"}, ["name"]),
        f"/api/v1/admin/directory/families/{family}": ({"organisation_id": w.org, "name": "devries"}, ["name"]),
        f"/api/v1/admin/directory/parents/{w.parents['eva'][0]}": (
            {"organisation_id": w.org, "family_id": family, "name": "Eva", "email": w.parents["eva"][1]}, ["name"]),
        f"/api/v1/admin/directory/children/{w.children['noor']}": (
            {"organisation_id": w.org, "family_id": family, "first_name": "Noor", "last_name": "devries",
             "birth_date": "2022-04-01"}, ["first_name", "last_name"]),
    }
    for path, (body, fields) in kinds.items():
        for field in fields:
            for blank in BLANK_NAMES:
                response = await gateway.put(path, json={**body, field: blank}, headers=OPERATOR)
                assert response.status_code == 422, (path, field, repr(blank), response.text)
                error = response.json()["error"]
                assert error["code"] == "validation_failed"
                assert any(d["loc"][-1] == field and "letter, digit or symbol" in d["msg"]
                           for d in error["details"]), error
        # Surrounding spaces are dropped, not refused.
        kept = await gateway.put(path, json={**body, fields[0]: "  Åsa  "}, headers=OPERATOR)
        assert kept.status_code == 200 and kept.json()[fields[0]] == "Åsa", (path, kept.text)

    tokens = await logged_in(gateway, mailpit, w.parents["tom"][1])
    for blank in BLANK_NAMES:
        response = await gateway.patch("/api/v1/account", json={"display_name": blank}, headers=bearer(tokens))
        assert response.status_code == 422, (repr(blank), response.text)
    renamed = await gateway.patch("/api/v1/account", json={"display_name": " Tom 🙂 "}, headers=bearer(tokens))
    assert renamed.status_code == 200 and renamed.json()["display_name"] == "Tom 🙂", renamed.text

    part = await gateway.put(f"/api/v1/admin/planning/day-parts/{new_id()}", headers=OPERATOR, json={
        "organisation_id": w.org, "care_type": "day_care", "name": "\u3000", "starts_at": "07:30",
        "ends_at": "13:00", "price_per_hour": "9.85"})
    assert part.status_code == 422, part.text
