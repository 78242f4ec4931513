"""Accounts end to end: invitation e-mail → password → login → /me, reset, token checks, family isolation,
failed-login throttling that an attacker cannot turn against a parent, and the edge rate limit."""

import re
import time
import uuid
from datetime import date, timedelta

import jwt
from e2e_world import PASSWORD, bearer, build_world, client_ip, link_token, logged_in, mail_to
from gateway.main import create_app as create_gateway
from gateway.settings import Settings as GatewaySettings
from konnect_devstack.pytest_plugin import running_app
from konnect_devstack.stack import DOMAIN_SERVICES

JWT_SECRET = "dev-jwt-secret-change-me-0123456789abcdef"  # the development secret the test stack runs with


async def test_invited_parent_sets_a_password_logs_in_and_sees_exactly_the_family(gateway, mailpit):
    w = await build_world(gateway)
    eva_id, eva_email = w.parents["eva"]
    [invitation] = await mail_to(mailpit, eva_email)
    assert "Welkom" in invitation["Subject"]  # Dutch by default
    assert PASSWORD not in invitation["Text"] and "wachtwoord" in invitation["Text"].lower()
    token = link_token(invitation, "invitation")
    accepted = await gateway.post("/api/v1/auth/invitation/accept", json={"token": token, "password": PASSWORD},
                                  headers=client_ip())
    assert accepted.status_code == 200
    login = await gateway.post("/api/v1/auth/login", json={"email": eva_email, "password": PASSWORD},
                               headers=client_ip())
    assert login.status_code == 200
    me = await gateway.get("/api/v1/me", headers=bearer(login.json()))
    assert me.status_code == 200
    body = me.json()
    assert body["account"]["account_id"] == eva_id
    assert body["family"]["family_id"] == w.families["devries"]
    children = {c["child_id"]: c for c in body["children"]}
    assert set(children) == {w.children["noor"], w.children["daan"]}  # not Mila of the other family
    noor = children[w.children["noor"]]
    assert noor["mentor"]["name"] == "Sanne Bakker"
    assert [p["group"]["group_id"] for p in noor["placements"]] == [w.groups["dolfijnen"]]
    assert [p["group"]["group_id"] for p in children[w.children["daan"]]["placements"]] == [w.groups["vlinders"]]


async def test_second_parent_has_an_own_login_in_english_and_sees_the_same_children(gateway, mailpit):
    w = await build_world(gateway)
    _, tom_email = w.parents["tom"]
    [invitation] = await mail_to(mailpit, tom_email)
    assert "Welcome" in invitation["Subject"]
    tom = await logged_in(gateway, mailpit, tom_email)
    me = (await gateway.get("/api/v1/me", headers=bearer(tom))).json()
    assert {c["child_id"] for c in me["children"]} == {w.children["noor"], w.children["daan"]}


# Request bodies for child-scoped routes that need one; a new route without an entry here fails the test
# below on purpose, so whoever adds it also proves it hides other families' children.
CHILD_ROUTE_BODIES = {
    ("put", "/api/v1/children/{child_id}/consents/{kind}"): {"granted": True},
    ("post", "/api/v1/requests/{request_id}/children/{child_id}/evaluate"): {"outcome": "accepted"},
    ("post", "/api/v1/timeline/children/{child_id}/diary"): {"text": "Over een ander kind"},
    ("post", "/api/v1/children/{child_id}/observations"): {"template_id": str(uuid.uuid4()), "answers": {"q1": "x"}},
}
STAFF_ONLY = {("post", "/api/v1/requests/{request_id}/children/{child_id}/evaluate")}


def fill(template: str, operation: dict, child: str) -> tuple[str, dict]:
    """A concrete URL and query for an OpenAPI operation: valid values, so only the child decides the answer."""
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    values = {"child_id": child, "day": tomorrow, "kind": "photos", "request_id": str(uuid.uuid4())}
    url = template
    for name in re.findall(r"{(\w+)}", template):
        assert name in values, f"no test value for path parameter {name} of {template}"
        url = url.replace("{" + name + "}", values[name])
    query = {}
    for param in operation.get("parameters", []):
        if param["in"] == "query" and param.get("required"):
            schema = param.get("schema", {})
            kind = schema.get("format") or schema.get("type")
            query[param["name"]] = {"date": tomorrow, "uuid": str(uuid.uuid4()), "number": "1", "integer": "1",
                                    "boolean": "false"}.get(kind, (schema.get("enum") or ["x"])[0])
    return url, query


async def test_a_parent_gets_404_on_every_child_route_for_another_familys_child(gateway, mailpit):
    w = await build_world(gateway)
    eva = await logged_in(gateway, mailpit, w.parents["eva"][1])
    spec = (await gateway.get("/openapi.json")).json()
    child_routes = [(path, method, op) for path, ops in spec["paths"].items() for method, op in ops.items()
                    if "{child_id}" in path and not path.startswith("/api/v1/admin/")]
    assert len(child_routes) >= 8  # children, consents, credits, agenda, availability, cancel — and every new one
    for path, method, operation in child_routes:
        for child in (w.children["mila"], str(uuid.uuid4())):
            url, query = fill(path, operation, child)
            body = CHILD_ROUTE_BODIES.get((method, path))
            needs_body = operation.get("requestBody", {}).get("required", False)
            assert body is not None or not needs_body, f"add a request body for {method} {path}"
            response = await gateway.request(method.upper(), url, params=query, json=body, headers=bearer(eva))
            expected = 403 if (method, path) in STAFF_ONLY else 404  # a role refusal says nothing of the child
            assert response.status_code == expected, (method, path, response.text)
    own = await gateway.get(f"/api/v1/children/{w.children['noor']}", headers=bearer(eva))
    assert own.status_code == 200
    consent = await gateway.put(f"/api/v1/children/{w.children['noor']}/consents/photo_sharing", json={"granted": True},
                                headers=bearer(eva))
    assert consent.status_code == 200


async def test_forgot_password_end_to_end_and_old_or_used_links_are_refused(gateway, mailpit):
    w = await build_world(gateway)
    _, email = w.parents["ilse"]
    await logged_in(gateway, mailpit, email)
    same = []
    for target in (email, f"nobody.{uuid.uuid4().hex}@example.com"):
        r = await gateway.post("/api/v1/auth/password-reset", json={"email": target}, headers=client_ip())
        same.append((r.status_code, r.content))
    assert same[0] == same[1] == (202, b"")
    [first] = await mail_to(mailpit, email, subject_has="Nieuw wachtwoord")
    await gateway.post("/api/v1/auth/password-reset", json={"email": email}, headers=client_ip())
    newest, older = await mail_to(mailpit, email, subject_has="Nieuw wachtwoord", count=2)
    assert link_token(older, "reset-password") == link_token(first, "reset-password")
    old = await gateway.post("/api/v1/auth/password-reset/confirm", headers=client_ip(),
                             json={"token": link_token(older, "reset-password"), "new_password": "new password 123"})
    assert old.status_code == 400
    ok = await gateway.post("/api/v1/auth/password-reset/confirm", headers=client_ip(),
                            json={"token": link_token(newest, "reset-password"), "new_password": "new password 123"})
    assert ok.status_code == 204
    used = await gateway.post("/api/v1/auth/password-reset/confirm", headers=client_ip(),
                              json={"token": link_token(newest, "reset-password"), "new_password": "another one 456"})
    assert used.status_code == 400
    login = await gateway.post("/api/v1/auth/login", json={"email": email, "password": "new password 123"},
                               headers=client_ip())
    assert login.status_code == 200


async def test_tampered_expired_and_wrong_audience_tokens_get_401(gateway, mailpit):
    w = await build_world(gateway)
    tokens = await logged_in(gateway, mailpit, w.parents["eva"][1])
    good = tokens["access_token"]
    claims = jwt.decode(good, JWT_SECRET, algorithms=["HS256"], audience="konnect-api")
    head, payload, signature = good.split(".")
    tampered_sig = f"{head}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    forged_claims = jwt.encode({**claims, "role": "org_admin"}, "not-the-secret", algorithm="HS256")
    expired = jwt.encode({**claims, "exp": int(time.time()) - 60}, JWT_SECRET, algorithm="HS256")
    wrong_audience = jwt.encode({**claims, "aud": "another-api"}, JWT_SECRET, algorithm="HS256")
    none_alg = jwt.encode({**claims}, key=None, algorithm="none")
    for name, token in (("tampered", tampered_sig), ("forged", forged_claims), ("expired", expired),
                        ("audience", wrong_audience), ("none", none_alg), ("garbage", "abc.def")):
        response = await gateway.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, name
        assert response.json()["error"]["code"] in ("invalid_token", "token_expired"), name
    assert (await gateway.get("/api/v1/me", headers=bearer(tokens))).status_code == 200


async def test_refresh_logout_and_log_out_of_all_accounts(gateway, mailpit):
    w = await build_world(gateway)
    eva = await logged_in(gateway, mailpit, w.parents["eva"][1])
    refreshed = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": eva["refresh_token"]})
    assert refreshed.status_code == 200
    out = await gateway.post("/api/v1/auth/logout", headers=bearer(refreshed.json()))
    assert out.status_code == 200
    assert (await gateway.get("/api/v1/me", headers=bearer(refreshed.json()))).status_code == 401


async def test_login_is_rate_limited_per_client_address(gateway):
    ip = client_ip()
    codes = []
    for _ in range(22):
        r = await gateway.post("/api/v1/auth/login", json={"email": f"x{uuid.uuid4().hex[:6]}@example.com",
                                                           "password": "whatever"}, headers=ip)
        codes.append(r.status_code)
    assert codes[:20] == [401] * 20
    assert codes[20:] == [429, 429]
    elsewhere = await gateway.post("/api/v1/auth/login", json={"email": "y@example.com", "password": "whatever"},
                                   headers=client_ip())
    assert elsewhere.status_code == 401


async def test_an_attackers_loop_over_many_addresses_does_not_lock_the_parent_out(gateway, mailpit):
    """Finding 2 of issue 8: five wrong passwords from anywhere locked the e-mail, the right password too."""
    w = await build_world(gateway)
    _, email = w.parents["eva"]
    [invitation] = await mail_to(mailpit, email)
    phone, home = f"eva-phone-{uuid.uuid4().hex}", client_ip()
    accepted = await gateway.post("/api/v1/auth/invitation/accept", headers=home, json={
        "token": link_token(invitation, "invitation"), "password": PASSWORD, "device_id": phone})
    assert accepted.status_code == 200
    attacker = []
    for guess in range(12):
        r = await gateway.post("/api/v1/auth/login", headers=client_ip(),  # a new address every time
                               json={"email": email, "password": f"guess {guess} for the password"})
        attacker.append(r.status_code)
        if r.status_code == 429:  # the uniform error body, with how long to wait
            assert r.json()["error"]["code"] == "too_many_attempts"
            assert set(r.json()["error"]) == {"code", "message", "details"}
            assert r.json()["error"]["details"]["retry_after_seconds"] >= 1
        own = await gateway.post("/api/v1/auth/login", headers=home,
                                 json={"email": email, "password": PASSWORD, "device_id": phone})
        assert own.status_code == 200, (guess, own.text)
        assert (await gateway.get("/api/v1/me", headers=bearer(own.json()))).status_code == 200
    assert attacker[:10] == [401] * 10 and attacker[10:] == [429, 429]  # slowed down, not let through


async def test_without_trusted_proxies_a_new_x_forwarded_for_per_request_does_not_escape_the_limit(stack, infra):
    """Finding 5 of issue 8: the gateway believed X-Forwarded-For from any local caller by default."""
    settings = GatewaySettings(environment="test", kafka_bootstrap_servers=infra.endpoints.kafka_bootstrap,
                               # trusted_proxies left at its default
                               **{f"{spec.name}_url": stack.url(spec) for spec in DOMAIN_SERVICES})
    assert settings.trusted_proxies == []
    async with running_app(create_gateway(settings)) as direct:  # a caller on 127.0.0.1, like a local process
        answers = []
        for attempt in range(21):
            r = await direct.post("/api/v1/auth/login", headers={"X-Forwarded-For": f"192.0.2.{attempt + 1}"},
                                  json={"email": f"x{uuid.uuid4().hex[:6]}@example.com", "password": "whatever"})
            answers.append(r.json()["error"]["code"])
    # The gateway's own limit (20 a minute per address) counts them all as the one peer they come from.
    assert "too_many_requests" not in answers[:20] and answers[20] == "too_many_requests"
