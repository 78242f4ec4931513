"""Accounts on real PostgreSQL: invitation, login, throttling, refresh rotation, logout variants, password reset."""

import json
import uuid
from collections.abc import AsyncIterator

import jwt
import pytest
from identity.main import MIGRATIONS, create_app
from identity.service_layer.accounts import ensure_account
from identity.settings import Settings
from konnect_devstack.pytest_plugin import internal_headers, running_app
from sqlalchemy import text

GATEWAY = internal_headers()  # a call forwarded by the gateway without a logged-in caller
PASSWORD = "correct horse battery"


@pytest.fixture
async def identity(infra, migrated_database) -> AsyncIterator:
    url = await migrated_database(MIGRATIONS)
    settings = Settings(database_url=url, **infra.endpoints.kafka_settings(),
                        service_name=f"identity-{uuid.uuid4().hex[:6]}")
    app = create_app(settings)
    async with running_app(app) as client:
        client.kit = app.state.kit  # type: ignore[attr-defined]
        yield client


async def invite(client, *, email: str | None = None, language: str = "nl") -> tuple[uuid.UUID, str, str]:
    """A new parent login; returns (account_id, organisation_id, invitation token from the published event)."""
    account_id, org = uuid.uuid4(), uuid.uuid4()
    email = email or f"{uuid.uuid4().hex[:10]}@example.com"
    async with client.kit.database.transaction() as session:
        await ensure_account(session, client.kit.outbox, account_id=account_id, organisation_id=org, role="parent",
                             email=email, display_name="Anne de Jong", language=language)
    events = await published(client, "AccountInvited", account_id)
    assert len(events) == 1
    return account_id, email, events[0]["payload"]["invitation_token"]


async def published(client, event_type: str, account_id: uuid.UUID) -> list[dict]:
    async with client.kit.database.transaction() as session:
        rows = await session.execute(text("SELECT value FROM kit_outbox WHERE event_type = :t ORDER BY id"),
                                     {"t": event_type})
        events = [json.loads(bytes(r[0])) for r in rows]
    return [e for e in events if e["payload"]["account_id"] == str(account_id)]


async def activated(client, *, device: str = "phone-1", **kw) -> tuple[uuid.UUID, str, dict]:
    account_id, email, token = await invite(client, **kw)
    r = await client.post("/auth/invitation/accept", json={"token": token, "password": PASSWORD,
                                                            "device_id": device}, headers=GATEWAY)
    assert r.status_code == 200, r.text
    return account_id, email, r.json()


def as_person(tokens: dict, settings: Settings) -> dict[str, str]:
    claims = jwt.decode(tokens["access_token"], settings.jwt_secret, audience="konnect-api", algorithms=["HS256"])
    return internal_headers(claims["role"], claims["sub"], claims["org"], session_id=claims["sid"])


async def test_invitation_sets_the_password_once_and_login_works(identity):
    account_id, email, token = await invite(identity)
    before = await identity.post("/auth/login", json={"email": email, "password": PASSWORD}, headers=GATEWAY)
    assert before.status_code == 401  # an invited login has no password yet
    accepted = await identity.post("/auth/invitation/accept", json={"token": token, "password": PASSWORD},
                                   headers=GATEWAY)
    assert accepted.status_code == 200
    again = await identity.post("/auth/invitation/accept", json={"token": token, "password": "another password!"},
                                headers=GATEWAY)
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_token"
    login = await identity.post("/auth/login", json={"email": email.upper(), "password": PASSWORD}, headers=GATEWAY)
    assert login.status_code == 200
    claims = jwt.decode(login.json()["access_token"], identity.kit.settings.jwt_secret, audience="konnect-api",
                        algorithms=["HS256"])
    assert claims["sub"] == str(account_id) and claims["role"] == "parent"


async def test_weak_password_is_refused_and_the_invitation_stays_usable(identity):
    _, _, token = await invite(identity)
    weak = await identity.post("/auth/invitation/accept", json={"token": token, "password": "short"}, headers=GATEWAY)
    assert weak.status_code == 422 and weak.json()["error"]["code"] == "weak_password"
    ok = await identity.post("/auth/invitation/accept", json={"token": token, "password": PASSWORD}, headers=GATEWAY)
    assert ok.status_code == 200


async def test_wrong_password_and_unknown_user_get_the_same_answer_then_both_lock(identity):
    _, email, _ = await activated(identity)
    unknown = f"{uuid.uuid4().hex}@example.com"
    answers = []
    for address in (email, unknown):
        r = await identity.post("/auth/login", json={"email": address, "password": "wrong password"},
                                headers=internal_headers(client_ip=f"10.9.{len(answers)}.1"))
        answers.append((r.status_code, r.json()))
    assert answers[0] == answers[1] == (401, {"error": {"code": "invalid_credentials",
                                                        "message": "The e-mail address or password is not correct.",
                                                        "details": None}})
    for address in (email, unknown):
        for _ in range(5):
            r = await identity.post("/auth/login", json={"email": address, "password": "wrong password"},
                                    headers=GATEWAY)
        assert r.status_code == 429 and r.json()["error"]["code"] == "too_many_attempts"
    # Locked means locked: even the right password waits.
    right = await identity.post("/auth/login", json={"email": email, "password": PASSWORD}, headers=GATEWAY)
    assert right.status_code == 429


async def test_refresh_rotates_and_reuse_of_an_old_token_ends_the_session(identity):
    _, _, tokens = await activated(identity)
    first = await identity.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, headers=GATEWAY)
    assert first.status_code == 200
    rotated = first.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    reuse = await identity.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, headers=GATEWAY)
    assert reuse.status_code == 401
    # The thief's reuse ended the session: the legitimate newest token is dead too.
    newest = await identity.post("/auth/refresh", json={"refresh_token": rotated["refresh_token"]}, headers=GATEWAY)
    assert newest.status_code == 401
    me = await identity.get("/me", headers=as_person(rotated, identity.kit.settings))
    assert me.status_code == 401 and me.json()["error"]["code"] == "session_ended"


async def test_logout_ends_one_session_and_logout_all_ends_every_session(identity):
    _, email, phone = await activated(identity)
    tablet = (await identity.post("/auth/login", json={"email": email, "password": PASSWORD, "device_id": "tablet"},
                                  headers=GATEWAY)).json()
    laptop = (await identity.post("/auth/login", json={"email": email, "password": PASSWORD}, headers=GATEWAY)).json()
    settings = identity.kit.settings
    out = await identity.post("/auth/logout", headers=as_person(phone, settings))
    assert out.status_code == 200
    assert (await identity.get("/me", headers=as_person(phone, settings))).status_code == 401
    assert (await identity.get("/me", headers=as_person(tablet, settings))).status_code == 200
    everything = await identity.post("/auth/logout-all", headers=as_person(tablet, settings))
    assert everything.json() == {"sessions_ended": 2}
    assert (await identity.get("/me", headers=as_person(laptop, settings))).status_code == 401
    refreshed = await identity.post("/auth/refresh", json={"refresh_token": laptop["refresh_token"]}, headers=GATEWAY)
    assert refreshed.status_code == 401


async def test_log_out_of_all_accounts_on_one_device(identity):
    device = f"ipad-{uuid.uuid4().hex[:6]}"
    _, _, first = await activated(identity, device=device)
    _, _, second = await activated(identity, device=device)
    _, _, elsewhere = await activated(identity, device="other-device")
    settings = identity.kit.settings
    ended = await identity.post("/auth/logout-device", headers=as_person(first, settings))
    assert ended.json() == {"sessions_ended": 2}
    assert (await identity.get("/me", headers=as_person(second, settings))).status_code == 401
    assert (await identity.get("/me", headers=as_person(elsewhere, settings))).status_code == 200


async def test_password_reset_is_silent_single_use_and_only_the_newest_link_works(identity):
    account_id, email, tokens = await activated(identity)
    unknown = await identity.post("/auth/password-reset", json={"email": f"{uuid.uuid4().hex}@example.com"},
                                  headers=GATEWAY)
    known = await identity.post("/auth/password-reset", json={"email": email}, headers=GATEWAY)
    assert unknown.status_code == known.status_code == 202 and unknown.content == known.content == b""
    await identity.post("/auth/password-reset", json={"email": email}, headers=GATEWAY)
    events = await published(identity, "PasswordResetRequested", account_id)
    older, newest = events[0]["payload"]["reset_token"], events[1]["payload"]["reset_token"]
    stale = await identity.post("/auth/password-reset/confirm", json={"token": older, "new_password": "new password 1"},
                                headers=GATEWAY)
    assert stale.status_code == 400 and stale.json()["error"]["code"] == "invalid_token"
    ok = await identity.post("/auth/password-reset/confirm", json={"token": newest, "new_password": "new password 1"},
                             headers=GATEWAY)
    assert ok.status_code == 204
    used = await identity.post("/auth/password-reset/confirm", json={"token": newest, "new_password": "new password 2"},
                               headers=GATEWAY)
    assert used.status_code == 400
    assert (await identity.get("/me", headers=as_person(tokens, identity.kit.settings))).status_code == 401
    old_login = await identity.post("/auth/login", json={"email": email, "password": PASSWORD}, headers=GATEWAY)
    new_login = await identity.post("/auth/login", json={"email": email, "password": "new password 1"}, headers=GATEWAY)
    assert (old_login.status_code, new_login.status_code) == (401, 200)


async def test_expired_reset_link_is_refused(identity):
    account_id, email, _ = await activated(identity)
    await identity.post("/auth/password-reset", json={"email": email}, headers=GATEWAY)
    token = (await published(identity, "PasswordResetRequested", account_id))[0]["payload"]["reset_token"]
    async with identity.kit.database.transaction() as session:  # an hour and a minute pass
        await session.execute(text("UPDATE one_time_tokens SET expires_at = now() - interval '1 minute' "
                                   "WHERE account_id = :a AND purpose = 'password_reset'"), {"a": account_id})
    r = await identity.post("/auth/password-reset/confirm", json={"token": token, "new_password": "new password 1"},
                            headers=GATEWAY)
    assert r.status_code == 400


async def test_change_password_needs_the_current_one_and_ends_other_sessions(identity):
    _, email, phone = await activated(identity)
    tablet = (await identity.post("/auth/login", json={"email": email, "password": PASSWORD}, headers=GATEWAY)).json()
    settings = identity.kit.settings
    wrong = await identity.post("/auth/password/change", json={"current_password": "nope nope nope",
                                                               "new_password": "brand new password"},
                                headers=as_person(phone, settings))
    assert wrong.status_code == 403
    ok = await identity.post("/auth/password/change", json={"current_password": PASSWORD,
                                                            "new_password": "brand new password"},
                             headers=as_person(phone, settings))
    assert ok.status_code == 204
    assert (await identity.get("/account", headers=as_person(phone, settings))).status_code == 200
    assert (await identity.get("/account", headers=as_person(tablet, settings))).status_code == 401


async def test_own_personal_data_can_be_read_and_edited(identity):
    _, email, tokens = await activated(identity)
    person = as_person(tokens, identity.kit.settings)
    r = await identity.patch("/account", json={"display_name": "Anne Jansen", "language": "en",
                                               "phone": "+31 6 1234 5678"}, headers=person)
    assert r.status_code == 200
    assert (r.json()["display_name"], r.json()["language"], r.json()["email"]) == ("Anne Jansen", "en", email)
    bad = await identity.patch("/account", json={"language": "fr"}, headers=person)
    assert bad.status_code == 422
    for empty in ({"display_name": None}, {"language": None}):
        refused = await identity.patch("/account", json=empty, headers=person)
        assert refused.status_code == 422 and refused.json()["error"]["details"]["field"] in empty
    unchanged = await identity.get("/account", headers=person)
    assert (unchanged.json()["display_name"], unchanged.json()["phone"]) == ("Anne Jansen", "+31 6 1234 5678")
    for removal in (None, ""):  # a parent can take their number off again
        await identity.patch("/account", json={"phone": "020 123 4567"}, headers=person)
        cleared = await identity.patch("/account", json={"phone": removal}, headers=person)
        assert cleared.status_code == 200 and cleared.json()["phone"] is None


async def test_erp_machine_credentials(identity):
    org = str(uuid.uuid4())
    created = await identity.post("/auth/machine-clients", json={"organisation_id": org, "name": "ERP"},
                                  headers=internal_headers("platform_operator", "op"))
    assert created.status_code == 201
    client = created.json()
    token = await identity.post("/auth/machine-token", json={"client_id": client["client_id"],
                                                             "client_secret": client["client_secret"]},
                                headers=GATEWAY)
    claims = jwt.decode(token.json()["access_token"], identity.kit.settings.jwt_secret, audience="konnect-api",
                        algorithms=["HS256"])
    assert (claims["role"], claims["org"]) == ("erp", org)
    wrong = await identity.post("/auth/machine-token", json={"client_id": client["client_id"],
                                                             "client_secret": "guess"}, headers=GATEWAY)
    assert wrong.status_code == 401
    other_admin = await identity.post("/auth/machine-clients", json={"organisation_id": org, "name": "x"},
                                      headers=internal_headers("org_admin", str(uuid.uuid4()), str(uuid.uuid4())))
    assert other_admin.status_code == 403


async def test_calls_that_bypass_the_gateway_are_refused(identity):
    r = await identity.post("/auth/login", json={"email": "a@example.com", "password": "x"})
    assert r.status_code == 401
