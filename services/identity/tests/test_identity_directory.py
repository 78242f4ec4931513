"""Directory admin/ERP API on real PostgreSQL and Kafka: idempotent upserts, versions, events, tenancy, refusals."""

import json
import uuid
from typing import Any

import pytest
from konnect_contracts.events.directory import FamilyUpserted
from konnect_devstack.pytest_plugin import eventually, internal_headers
from sqlalchemy import text

OPERATOR = internal_headers("platform_operator", "operator-1")


def admin(org: str) -> dict[str, str]:
    return internal_headers("org_admin", str(uuid.uuid4()), org)


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def identity(identity: Any, directory_accounts: list[dict[str, Any]]) -> Any:
    """The conftest's identity, with the logins the directory asked for in `identity.accounts`."""
    identity.accounts = directory_accounts
    return identity


async def organisation(client, name: str = "Kinderopvang De Regenboog") -> str:
    org = new_id()
    r = await client.put(f"/organisations/{org}", json={"name": name}, headers=OPERATOR)
    assert r.status_code == 200, r.text
    return org


async def put(client, path: str, body: dict, headers: dict | None = None, status: int = 200) -> dict:
    r = await client.put(f"/directory/{path}", json=body, headers=headers or OPERATOR)
    assert r.status_code == status, r.text
    return r.json()


async def published(client, event_type: str, id_field: str, record_id: str) -> list[dict]:
    async with client.kit.database.transaction() as session:
        rows = await session.execute(text("SELECT value FROM kit_outbox WHERE event_type = :t ORDER BY id"),
                                     {"t": event_type})
        events = [json.loads(bytes(r[0])) for r in rows]
    return [e for e in events if e["payload"][id_field] == record_id]


async def seed(client, org: str) -> dict[str, str]:
    """One of everything in the organisation; returns the ids."""
    ids = {k: new_id() for k in ("location", "group", "staff", "family", "parent", "child", "placement")}
    await put(client, f"locations/{ids['location']}", {"organisation_id": org, "name": "Zonnebloem",
                                                       "postal_code": "1234 AB", "city": "Utrecht"})
    await put(client, f"groups/{ids['group']}", {"organisation_id": org, "location_id": ids["location"],
                                                 "name": "De Uiltjes", "care_type": "day_care"})
    await put(client, f"staff/{ids['staff']}", {"organisation_id": org, "name": "Sanne Jansen",
                                                "email": f"{ids['staff'][:8]}@example.com",
                                                "group_ids": [ids["group"]]})
    await put(client, f"families/{ids['family']}", {"organisation_id": org, "name": "Familie de Vries"})
    await put(client, f"parents/{ids['parent']}", {"organisation_id": org, "family_id": ids["family"],
                                                   "name": "Eva de Vries", "email": f"{ids['parent'][:8]}@example.com",
                                                   "language": "en"})
    await put(client, f"children/{ids['child']}", {"organisation_id": org, "family_id": ids["family"],
                                                   "first_name": "Noor", "last_name": "de Vries",
                                                   "birth_date": "2022-06-14", "mentor_staff_id": ids["staff"]})
    await put(client, f"placements/{ids['placement']}", {
        "organisation_id": org, "child_id": ids["child"], "group_id": ids["group"], "care_type": "day_care",
        "starts_on": "2024-01-08", "weekly_pattern": [{"weekday": 0, "day_part_ids": [new_id()]}],
    })
    return ids


async def test_same_data_keeps_the_version_and_a_change_publishes_exactly_one_event(identity):
    org = await organisation(identity)
    location_id = new_id()
    body = {"organisation_id": org, "name": "Zonnebloem", "street": "Dorpsstraat", "house_number": "12a",
            "postal_code": "1234 AB", "city": "Utrecht", "phone": "+31 30 123 4567", "email": "zon@example.com",
            "external_id": "LOC-1"}
    assert (await put(identity, f"locations/{location_id}", body))["version"] == 1
    assert (await put(identity, f"locations/{location_id}", body))["version"] == 1
    assert len(await published(identity, "LocationUpserted", "location_id", location_id)) == 1

    changed = await put(identity, f"locations/{location_id}", {**body, "city": "Amersfoort"})
    assert changed["version"] == 2
    events = await published(identity, "LocationUpserted", "location_id", location_id)
    assert [e["payload"]["version"] for e in events] == [1, 2]
    assert events[1]["payload"]["city"] == "Amersfoort" and events[1]["payload"]["external_id"] == "LOC-1"
    assert events[1]["organisation_id"] == org

    r = await identity.get(f"/directory/locations/{location_id}", headers=OPERATOR)
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["city"] == "Amersfoort"


async def test_every_kind_round_trips_publishes_once_and_asks_for_logins(identity):
    org = await organisation(identity)
    ids = await seed(identity, org)
    ids_again = await seed_again(identity, org, ids)
    assert ids_again == ids  # a second identical sync: every version still 1
    expected = [("LocationUpserted", "location_id", "location"), ("GroupUpserted", "group_id", "group"),
                ("StaffUpserted", "staff_id", "staff"), ("FamilyUpserted", "family_id", "family"),
                ("ParentUpserted", "account_id", "parent"), ("ChildUpserted", "child_id", "child"),
                ("PlacementUpserted", "placement_id", "placement")]
    for event_type, field, key in expected:
        events = await published(identity, event_type, field, ids[key])
        assert len(events) == 1, event_type
        assert events[0]["payload"]["version"] == 1
    placement = (await published(identity, "PlacementUpserted", "placement_id", ids["placement"]))[0]["payload"]
    assert placement["family_id"] == ids["family"] and placement["location_id"] == ids["location"]
    staff_event = (await published(identity, "StaffUpserted", "staff_id", ids["staff"]))[0]["payload"]
    assert staff_event["group_ids"] == [ids["group"]] and staff_event["account_id"] == ids["staff"]

    roles = {(str(c["account_id"]), c["role"], c["language"]) for c in identity.accounts}
    assert roles == {(ids["staff"], "staff", "nl"), (ids["parent"], "parent", "en")}
    assert all(str(c["organisation_id"]) == org for c in identity.accounts)

    r = await identity.get(f"/directory/staff/{ids['staff']}", headers=OPERATOR)
    assert r.json()["group_ids"] == [ids["group"]]
    r = await identity.get(f"/directory/parents/{ids['parent']}", headers=OPERATOR)
    assert r.json()["role"] == "parent" and r.json()["family_id"] == ids["family"]
    r = await identity.get("/directory/children", params={"organisation_id": org, "family_id": ids["family"]},
                           headers=OPERATOR)
    assert [c["child_id"] for c in r.json()["items"]] == [ids["child"]] and r.json()["next_offset"] is None
    r = await identity.get("/directory/families", params={"organisation_id": org, "limit": 1}, headers=admin(org))
    assert r.status_code == 200 and [f["family_id"] for f in r.json()["items"]] == [ids["family"]]

    # Staff promoted to admin: a change (version 2) and the login gets the org_admin role.
    staff_body = {"organisation_id": org, "name": "Sanne Jansen", "email": f"{ids['staff'][:8]}@example.com",
                  "group_ids": [ids["group"]], "is_admin": True}
    assert (await put(identity, f"staff/{ids['staff']}", staff_body))["version"] == 2
    assert identity.accounts[-1]["role"] == "org_admin"
    # Without an e-mail address nobody gets a login.
    before = len(identity.accounts)
    await put(identity, f"staff/{new_id()}", {"organisation_id": org, "name": "Invalkracht"})
    assert len(identity.accounts) == before


async def seed_again(client, org: str, ids: dict[str, str]) -> dict[str, str]:
    for kind in ("locations", "groups", "staff", "families", "parents", "children", "placements"):
        key = {"locations": "location", "groups": "group", "families": "family", "parents": "parent",
               "children": "child", "placements": "placement", "staff": "staff"}[kind]
        current = (await client.get(f"/directory/{kind}/{ids[key]}", headers=OPERATOR)).json()
        assert current["version"] == 1
        again = await put(client, f"{kind}/{ids[key]}", current)
        assert again["version"] == 1, kind
    return ids


async def test_references_into_another_organisation_are_refused(identity):
    org_a, org_b = await organisation(identity), await organisation(identity)
    a = await seed(identity, org_a)
    refused = [
        ("groups", {"organisation_id": org_b, "location_id": a["location"], "name": "X"}, "location_id"),
        ("children", {"organisation_id": org_b, "family_id": a["family"], "first_name": "A", "last_name": "B",
                      "birth_date": "2023-01-01"}, "family_id"),
        ("parents", {"organisation_id": org_b, "family_id": a["family"], "name": "P",
                     "email": "p@example.com"}, "family_id"),
        ("staff", {"organisation_id": org_b, "name": "S", "group_ids": [a["group"]]}, "group_ids"),
    ]
    b = {"family": new_id(), "location": new_id()}
    await put(identity, f"families/{b['family']}", {"organisation_id": org_b, "name": "Familie B"})
    refused.append(("children", {"organisation_id": org_b, "family_id": b["family"], "first_name": "A",
                                 "last_name": "B", "birth_date": "2023-01-01", "mentor_staff_id": a["staff"]},
                    "mentor_staff_id"))
    refused.append(("placements", {"organisation_id": org_b, "child_id": a["child"], "group_id": a["group"],
                                   "care_type": "toddler", "starts_on": "2025-01-01"}, "child_id"))
    for kind, body, field in refused:
        error = (await put(identity, f"{kind}/{new_id()}", body, status=422))["error"]
        assert error["code"] == "unknown_reference" and field in error["message"], (kind, error)
        assert error["details"]["field"] == field
    # Nothing half-written: no event for any refused record.
    async with identity.kit.database.transaction() as session:
        count = await session.scalar(
            text("SELECT count(*) FROM kit_outbox WHERE convert_from(value, 'UTF8') LIKE :org"), {"org": f"%{org_b}%"}
        )
    assert count == 2  # OrganisationUpserted and FamilyUpserted of org B only


async def test_external_ids_are_unique_per_organisation_and_kind(identity):
    org_a, org_b = await organisation(identity), await organisation(identity)
    first, second = new_id(), new_id()
    await put(identity, f"families/{first}", {"organisation_id": org_a, "name": "A", "external_id": "F-1"})
    error = (await put(identity, f"families/{second}", {"organisation_id": org_a, "name": "B",
                                                         "external_id": "F-1"}, status=409))["error"]
    assert error["code"] == "external_id_taken"
    # The same ERP id in another organisation, or on another kind, is someone else's business.
    await put(identity, f"families/{second}", {"organisation_id": org_b, "name": "B", "external_id": "F-1"})
    await put(identity, f"locations/{new_id()}", {"organisation_id": org_a, "name": "L", "external_id": "F-1"})
    # The record itself may keep (and resend) its own ERP id.
    assert (await put(identity, f"families/{first}", {"organisation_id": org_a, "name": "A2",
                                                       "external_id": "F-1"}))["version"] == 2


async def test_roles_and_tenancy(identity):
    org_a, org_b = await organisation(identity), await organisation(identity)
    b = await seed(identity, org_b)
    family = {"organisation_id": org_b, "name": "Familie X"}
    # An admin or ERP of A cannot touch B, and hears what it would hear of an organisation that does not exist.
    for who in (admin(org_a), internal_headers("erp", "acme-erp", org_a)):
        error = (await put(identity, f"families/{new_id()}", family, headers=who, status=404))["error"]
        assert error["code"] == "not_found"
        r = await identity.get("/directory/families", params={"organisation_id": org_b}, headers=who)
        assert r.status_code == 404
        r = await identity.get(f"/directory/families/{b['family']}", headers=who)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    # Parents and staff never reach the admin API, even inside their own organisation.
    for who in (internal_headers("parent", b["parent"], org_b), internal_headers("staff", b["staff"], org_b)):
        await put(identity, f"families/{new_id()}", family, headers=who, status=403)
        r = await identity.get(f"/directory/children/{b['child']}", headers=who)
        assert r.status_code == 403
    # Inside their own organisation, admin and ERP may act.
    await put(identity, f"families/{new_id()}", family, headers=admin(org_b))
    await put(identity, f"families/{new_id()}", family, headers=internal_headers("erp", "acme-erp", org_b))
    # A record cannot move to another organisation: in A, B's id names nothing.
    error = (await put(identity, f"families/{b['family']}", {**family, "organisation_id": org_a}, status=404))["error"]
    assert error["code"] == "not_found"
    # An organisation that does not exist.
    error = (await put(identity, f"families/{new_id()}", {**family, "organisation_id": new_id()}, status=404))["error"]
    assert error["code"] == "not_found"
    # No forwarded identity at all.
    r = await identity.put(f"/directory/families/{new_id()}", json=family, headers=internal_headers())
    assert r.status_code == 401


async def test_bad_input_gets_a_uniform_error(identity):
    org = await organisation(identity)
    ids = await seed(identity, org)
    placement = {"organisation_id": org, "child_id": ids["child"], "group_id": ids["group"], "care_type": "day_care",
                 "starts_on": "2025-03-01", "ends_on": "2025-02-28"}
    error = (await put(identity, f"placements/{new_id()}", placement, status=422))["error"]
    assert error["code"] == "invalid_period"
    cases = [
        (f"placements/{new_id()}", {**placement, "ends_on": None, "care_type": "night_care"}),
        (f"placements/{new_id()}", {**placement, "ends_on": None,
                                    "weekly_pattern": [{"weekday": 1, "day_part_ids": []}] * 2}),
        (f"parents/{new_id()}", {"organisation_id": org, "family_id": ids["family"], "name": "P", "email": "nope"}),
        (f"parents/{new_id()}", {"organisation_id": org, "family_id": ids["family"], "name": "P",
                                 "email": "p@example.com", "language": "de"}),
        (f"children/{new_id()}", {"organisation_id": org, "family_id": ids["family"], "first_name": "",
                                  "last_name": "B", "birth_date": "2023-02-30"}),
        ("families/not-a-uuid", {"organisation_id": org, "name": "F"}),
        ("consent-kinds/Photo Sharing!", {"organisation_id": org, "label_nl": "x", "label_en": "x"}),
    ]
    for path, body in cases:
        error = (await put(identity, path, body, status=422))["error"]
        assert error["code"] == "validation_failed" and error["message"] and error["details"], path
    r = await identity.get("/directory/families", headers=OPERATOR)  # organisation_id is required
    assert r.status_code == 422 and set(r.json()["error"]) == {"code", "message", "details"}


async def test_consent_kinds_are_a_per_organisation_catalogue(identity):
    org = await organisation(identity)
    body = {"organisation_id": org, "label_nl": "Foto's delen", "label_en": "Share photos", "kind": "consent"}
    assert (await put(identity, "consent-kinds/photo_sharing", body))["version"] == 1
    assert (await put(identity, "consent-kinds/photo_sharing", body))["version"] == 1
    assert (await put(identity, "consent-kinds/photo_sharing", {**body, "label_en": "Photos"}))["version"] == 2
    r = await identity.get("/directory/consent-kinds/photo_sharing", params={"organisation_id": org},
                           headers=admin(org))
    assert r.status_code == 200 and r.json()["label_en"] == "Photos"
    r = await identity.get("/directory/consent-kinds", params={"organisation_id": org}, headers=OPERATOR)
    assert [k["key"] for k in r.json()["items"]] == ["photo_sharing"]


async def test_a_change_reaches_the_directory_topic(identity):
    org = await organisation(identity)
    family_id = new_id()
    before = len(await identity.env.read(FamilyUpserted))
    await put(identity, f"families/{family_id}", {"organisation_id": org, "name": "Familie Kafka"})

    async def arrived() -> bool:
        seen = (await identity.env.read(FamilyUpserted))[before:]
        return any(e.event_type == "FamilyUpserted" and e.payload.get("family_id") == family_id for e in seen)

    assert await eventually(arrived, timeout=30)


async def test_republish_sends_every_record_once_more_with_the_same_version(identity):
    org = await organisation(identity)
    ids = await seed(identity, org)
    kinds = (("group", "GroupUpserted", "group_id"), ("parent", "ParentUpserted", "account_id"),
             ("placement", "PlacementUpserted", "placement_id"))
    before = {kind: await published(identity, event, field, ids[kind]) for kind, event, field in kinds}
    r = await identity.post("/directory/republish", json={"organisation_id": org}, headers=OPERATOR)
    assert r.status_code == 202, r.text
    assert r.json()["published"] == {"organisations": 1, "locations": 1, "groups": 1, "staff": 1, "families": 1,
                                     "parents": 1, "children": 1, "placements": 1}
    for kind, event, field in kinds:
        events = await published(identity, event, field, ids[kind])
        assert len(events) == len(before[kind]) + 1
        assert events[-1]["payload"] == before[kind][-1]["payload"]  # the same state and version, again
    other_admin = await identity.post("/directory/republish", json={"organisation_id": org},
                                      headers=admin(await organisation(identity)))
    assert other_admin.status_code == 404


async def test_organisation_contact_address_and_logo_reach_the_directory_event(identity):
    # Notification mails name the organisation: replies go to its address, its logo heads them.
    org = new_id()
    body = {"name": "Kinderopvang De Regenboog", "email": "info@regenboog.example",
            "logo_url": "https://www.regenboog.example/logo.png"}
    saved = await identity.put(f"/organisations/{org}", json=body, headers=OPERATOR)
    assert saved.status_code == 200 and saved.json()["email"] == "info@regenboog.example"
    assert (await identity.get(f"/organisations/{org}", headers=OPERATOR)).json()["logo_url"] == body["logo_url"]
    async with identity.kit.database.transaction() as session:
        events = (await session.execute(text(
            "SELECT convert_from(value, 'UTF8') FROM kit_outbox WHERE convert_from(value, 'UTF8') LIKE :org"),
            {"org": f"%{org}%"})).scalars().all()
    [event] = [json.loads(e) for e in events]
    assert event["payload"]["email"] == "info@regenboog.example"
    assert event["payload"]["logo_url"] == body["logo_url"]
    for bad in ({"logo_url": "http://insecure.example/logo.png"}, {"logo_url": 'https://x.example/"onload='},
                {"email": "not an address"}):
        refused = await identity.put(f"/organisations/{org}", json={**body, **bad}, headers=OPERATOR)
        assert refused.status_code == 422, bad
