"""The skeleton end to end: gateway → identity (row + outbox) → Kafka → planning read model, every service a process."""

import json
import uuid

from konnect_devstack import paths
from konnect_devstack.pytest_plugin import eventually

OPERATOR = {"Authorization": "Bearer dev-platform-operator-token"}


async def test_organisation_upsert_reaches_planning_through_kafka(gateway):
    org = uuid.uuid4()
    correlation = f"e2e-{uuid.uuid4().hex[:12]}"
    response = await gateway.put(
        f"/api/v1/platform/organisations/{org}",
        json={"name": "Kinderopvang De Regenboog", "time_zone": "Europe/Amsterdam", "external_id": f"erp-{org}"},
        headers={**OPERATOR, "X-Correlation-ID": correlation},
    )
    assert response.status_code == 200, response.text
    assert response.headers["x-correlation-id"] == correlation
    assert response.json()["version"] == 1

    async def planning_knows() -> dict | None:
        r = await gateway.get(f"/api/v1/platform/planning/organisations/{org}", headers=OPERATOR)
        return r.json() if r.status_code == 200 else None

    known = await eventually(planning_knows)
    assert known == {"organisation_id": str(org), "name": "Kinderopvang De Regenboog",
                     "time_zone": "Europe/Amsterdam", "version": 1}

    # The same correlation id shows up in the log lines of the gateway's callee and of the consumer.
    def logged_with_correlation(service: str) -> list[dict]:
        lines = (paths.log_dir("test") / f"{service}.log").read_text().splitlines()
        return [e for e in map(_json_or_none, lines) if e and e.get("correlation_id") == correlation]

    assert await eventually(lambda: logged_with_correlation("planning"))
    handled = logged_with_correlation("planning")
    assert any(e["msg"] == "event handled" and e["event_type"] == "OrganisationUpserted" for e in handled)


async def test_upsert_is_idempotent_and_changes_bump_the_version(gateway):
    org = uuid.uuid4()
    body = {"name": "BSO Het Speelhuis", "time_zone": "Europe/Amsterdam"}
    first = await gateway.put(f"/api/v1/platform/organisations/{org}", json=body, headers=OPERATOR)
    again = await gateway.put(f"/api/v1/platform/organisations/{org}", json=body, headers=OPERATOR)
    assert first.json()["version"] == again.json()["version"] == 1
    changed = await gateway.put(f"/api/v1/platform/organisations/{org}",
                                json={**body, "time_zone": "Europe/Brussels"}, headers=OPERATOR)
    assert changed.json()["version"] == 2

    async def planning_version() -> int | None:
        r = await gateway.get(f"/api/v1/platform/planning/organisations/{org}", headers=OPERATOR)
        return r.json()["version"] if r.status_code == 200 and r.json()["version"] == 2 else None

    assert await eventually(planning_version) == 2
    r = await gateway.get(f"/api/v1/platform/planning/organisations/{org}", headers=OPERATOR)
    assert r.json()["time_zone"] == "Europe/Brussels"


async def test_bad_requests_get_uniform_4xx_errors(gateway):
    org = uuid.uuid4()
    url = f"/api/v1/platform/organisations/{org}"
    no_token = await gateway.put(url, json={"name": "x"})
    assert no_token.status_code == 401
    assert no_token.json()["error"]["code"] == "unauthorized"
    wrong_token = await gateway.put(url, json={"name": "x"}, headers={"Authorization": "Bearer nope"})
    assert wrong_token.status_code == 401
    missing = await gateway.put(url, json={}, headers=OPERATOR)
    assert missing.status_code == 422
    assert missing.json()["error"]["code"] == "validation_failed"
    malformed = await gateway.put(url, content=b"{not json", headers={**OPERATOR, "content-type": "application/json"})
    assert malformed.status_code == 422
    zone = await gateway.put(url, json={"name": "x", "time_zone": "Mars/Olympus"}, headers=OPERATOR)
    assert zone.status_code == 422
    assert zone.json()["error"]["code"] == "invalid_time_zone"
    huge = await gateway.put(url, content=b"x" * 2_000_000, headers={**OPERATOR, "content-type": "application/json"})
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "payload_too_large"
    nul = await gateway.put(url, json={"name": "Regen\u0000boog"}, headers=OPERATOR)
    assert nul.status_code == 422
    assert nul.json()["error"]["code"] == "invalid_characters"
    not_uuid = await gateway.get("/api/v1/platform/organisations/not-a-uuid", headers=OPERATOR)
    assert not_uuid.status_code == 422
    unknown = await gateway.get(f"/api/v1/platform/organisations/{uuid.uuid4()}", headers=OPERATOR)
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "not_found"


async def test_gateway_health_readiness_and_openapi(gateway):
    assert (await gateway.get("/health")).json() == {"status": "ok"}
    ready = await gateway.get("/ready")
    assert ready.status_code == 200
    spec = (await gateway.get("/openapi.json")).json()
    assert "/api/v1/platform/organisations/{organisation_id}" in spec["paths"]


def _json_or_none(line: str) -> dict | None:
    try:
        return json.loads(line)
    except ValueError:
        return None


async def test_cors_allows_the_configured_web_origin_only(gateway):
    allowed = await gateway.options("/api/v1/me", headers={"Origin": "http://localhost:5173",
                                                            "Access-Control-Request-Method": "GET",
                                                            "Access-Control-Request-Headers": "authorization"})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    other = await gateway.options("/api/v1/me", headers={"Origin": "https://evil.example",
                                                          "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in other.headers
