"""Child pages on real PostgreSQL: who sees which child (404 otherwise), consents and ConsentChanged, /me query;
the groups staff work on (admins: the organisation's) with the children placed there today."""

import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from identity.api.account import MeOut
from identity.db.queries import child_record, child_summaries
from identity.service_layer.accounts import ensure_account
from konnect_devstack.pytest_plugin import internal_headers
from sqlalchemy import text

OPERATOR = internal_headers("platform_operator", "operator-1")


def new_id() -> str:
    return str(uuid.uuid4())


pytestmark = pytest.mark.usefixtures("directory_accounts")


async def put(client, path: str, body: dict) -> dict:
    r = await client.put(path, json=body, headers=OPERATOR)
    assert r.status_code == 200, r.text
    return r.json()


async def family(client, org: str, group: str, *, language: str = "nl", mentor: str | None = None) -> dict[str, str]:
    """A family with one parent and one child placed on `group` since last year."""
    ids = {"family": new_id(), "parent": new_id(), "child": new_id(), "placement": new_id()}
    await put(client, f"/directory/families/{ids['family']}", {"organisation_id": org, "name": "Familie"})
    await put(client, f"/directory/parents/{ids['parent']}", {
        "organisation_id": org, "family_id": ids["family"], "name": "Ouder", "email": "ouder@example.com",
        "language": language})
    await put(client, f"/directory/children/{ids['child']}", {
        "organisation_id": org, "family_id": ids["family"], "first_name": "Noor", "last_name": "de Vries",
        "birth_date": "2022-06-14", "mentor_staff_id": mentor})
    await put(client, f"/directory/placements/{ids['placement']}", {
        "organisation_id": org, "child_id": ids["child"], "group_id": group, "care_type": "day_care",
        "starts_on": (date.today() - timedelta(days=365)).isoformat()})
    return ids


async def world(client) -> dict[str, Any]:
    """An organisation with two groups, a staff member on the first, two families and a photo consent kind."""
    org = new_id()
    await put(client, f"/organisations/{org}", {"name": "Kinderopvang De Regenboog"})
    ids: dict[str, Any] = {"org": org, "location": new_id(), "group": new_id(), "other_group": new_id(),
                           "staff": new_id(), "other_staff": new_id()}
    await put(client, f"/directory/locations/{ids['location']}", {"organisation_id": org, "name": "Zonnebloem"})
    for group in ("group", "other_group"):
        await put(client, f"/directory/groups/{ids[group]}", {"organisation_id": org, "name": group,
                                                              "location_id": ids["location"]})
    await put(client, f"/directory/staff/{ids['staff']}", {"organisation_id": org, "name": "Sanne",
                                                           "group_ids": [ids["group"]]})
    await put(client, f"/directory/staff/{ids['other_staff']}", {"organisation_id": org, "name": "Bram",
                                                                 "group_ids": [ids["other_group"]]})
    await put(client, "/directory/consent-kinds/photo_sharing", {
        "organisation_id": org, "label_nl": "Foto's mogen gedeeld worden", "label_en": "Photos may be shared"})
    ids["a"] = await family(client, org, ids["group"], language="en", mentor=ids["staff"])
    ids["b"] = await family(client, org, ids["other_group"])
    return ids


def as_parent(w: dict, fam: str) -> dict[str, str]:
    return internal_headers("parent", w[fam]["parent"], w["org"])


async def test_a_parent_sees_their_own_child_in_their_language(identity):
    w = await world(identity)
    r = await identity.get(f"/children/{w['a']['child']}", headers=as_parent(w, "a"))
    assert r.status_code == 200, r.text
    page = r.json()
    assert (page["first_name"], page["birth_date"]) == ("Noor", "2022-06-14")
    assert page["family"]["family_id"] == w["a"]["family"]
    assert page["mentor"] == {"staff_id": w["staff"], "name": "Sanne"}
    assert [(g["group_id"], g["location"]["location_id"]) for g in page["groups"]] == [(w["group"], w["location"])]
    assert [p["placement_id"] for p in page["placements"]] == [w["a"]["placement"]]
    assert page["consents"] == [{"key": "photo_sharing", "kind": "consent", "label": "Photos may be shared",
                                 "labels": {"nl": "Foto's mogen gedeeld worden", "en": "Photos may be shared"},
                                 "granted": None, "changed_at": None}]
    # Family B's parent reads Dutch labels.
    r = await identity.get(f"/children/{w['b']['child']}/consents", headers=as_parent(w, "b"))
    assert r.json()[0]["label"] == "Foto's mogen gedeeld worden"


async def test_a_parent_of_another_family_gets_404_everywhere(identity):
    w = await world(identity)
    stranger = as_parent(w, "b")
    child = w["a"]["child"]
    attempts = [
        ("GET", f"/children/{child}", None),
        ("GET", f"/children/{child}/consents", None),
        ("PUT", f"/children/{child}/consents/photo_sharing", {"granted": True}),
        ("PUT", f"/children/{child}/consents/no_such_kind", {"granted": True}),  # 404 wins over 422
        ("GET", f"/children/{new_id()}", None),  # a child that does not exist looks the same
    ]
    for method, path, body in attempts:
        r = await identity.request(method, path, json=body, headers=stranger)
        assert r.status_code == 404, (path, r.text)
        assert r.json() == {"error": {"code": "not_found", "message": "No such child.", "details": None}}
    # A forged parent id, a parent of another organisation's tenant header, and a non-UUID actor id.
    for headers in (internal_headers("parent", new_id(), w["org"]),
                    internal_headers("parent", w["a"]["parent"], new_id()),
                    internal_headers("parent", "not-a-uuid", w["org"])):
        assert (await identity.get(f"/children/{child}", headers=headers)).status_code == 404


async def test_staff_see_children_of_their_groups_and_admins_those_of_their_organisation(identity):
    w = await world(identity)
    child = w["a"]["child"]
    on_group = internal_headers("staff", w["staff"], w["org"])
    elsewhere = internal_headers("staff", w["other_staff"], w["org"])
    assert (await identity.get(f"/children/{child}", headers=on_group)).status_code == 200
    assert (await identity.get(f"/children/{child}", headers=elsewhere)).status_code == 404
    assert (await identity.get(f"/children/{w['b']['child']}", headers=elsewhere)).status_code == 200
    # Staff may read consents but not set them.
    r = await identity.put(f"/children/{child}/consents/photo_sharing", json={"granted": True}, headers=on_group)
    assert r.status_code == 403
    assert (await identity.get(f"/children/{child}", headers=internal_headers("org_admin", new_id(),
                                                                             w["org"]))).status_code == 200
    assert (await identity.get(f"/children/{child}", headers=internal_headers("org_admin", new_id(),
                                                                             new_id()))).status_code == 404
    assert (await identity.get(f"/children/{child}", headers=OPERATOR)).status_code == 200


async def test_a_consent_change_publishes_consent_changed_once(identity):
    w = await world(identity)
    child, parent = w["a"]["child"], as_parent(w, "a")
    r = await identity.put(f"/children/{child}/consents/photo_sharing", json={"granted": True}, headers=parent)
    assert r.status_code == 200, r.text
    assert r.json()["granted"] is True and r.json()["label"] == "Photos may be shared"
    again = await identity.put(f"/children/{child}/consents/photo_sharing", json={"granted": True}, headers=parent)
    assert again.status_code == 200
    withdrawn = await identity.put(f"/children/{child}/consents/photo_sharing", json={"granted": False},
                                   headers=parent)
    assert withdrawn.json()["granted"] is False
    events = await consent_events(identity, child)
    assert [(e["consent_kind"], e["granted"]) for e in events] == [("photo_sharing", True), ("photo_sharing", False)]
    assert events[0]["family_id"] == w["a"]["family"] and events[0]["changed_by_account_id"] == w["a"]["parent"]
    r = await identity.get(f"/children/{child}/consents", headers=parent)
    assert r.json()[0]["granted"] is False and r.json()[0]["changed_at"]

    unknown = await identity.put(f"/children/{child}/consents/outings", json={"granted": True}, headers=parent)
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_consent_kind"
    for body in ({"granted": "yes"}, {}, None):
        bad = await identity.put(f"/children/{child}/consents/photo_sharing", json=body, headers=parent)
        assert bad.status_code == 422 and bad.json()["error"]["code"] == "validation_failed"
    assert len(await consent_events(identity, child)) == 2


async def consent_events(client, child_id: str) -> list[dict]:
    async with client.kit.database.transaction() as session:
        rows = await session.execute(text("SELECT value FROM kit_outbox WHERE event_type = 'ConsentChanged' "
                                          "ORDER BY id"))
        payloads = [json.loads(bytes(r[0]))["payload"] for r in rows]
    return [p for p in payloads if p["child_id"] == child_id]


async def signed_in(identity, org: str, parent_id: str) -> str:
    """The parent's login (its account id is the parent's id) and a live session of it, as a login makes it."""
    session_id = new_id()
    async with identity.kit.database.transaction() as session:
        await ensure_account(session, identity.kit.outbox, account_id=uuid.UUID(parent_id),
                             organisation_id=uuid.UUID(org), role="parent", email=f"{parent_id[:8]}@example.com",
                             display_name="Ouder", language="nl")
        await session.execute(text("INSERT INTO sessions (session_id, account_id, created_at, last_used_at) "
                                   "VALUES (:session_id, :account_id, now(), now())"),
                              {"session_id": session_id, "account_id": parent_id})
    return session_id


async def test_me_shows_a_parent_the_family_and_its_children_with_current_and_future_placements(identity):
    w = await world(identity)
    ended, second, baby = new_id(), new_id(), new_id()
    await put(identity, f"/directory/placements/{ended}", {
        "organisation_id": w["org"], "child_id": w["a"]["child"], "group_id": w["other_group"],
        "care_type": "toddler", "starts_on": "2020-01-01", "ends_on": "2021-12-31"})
    next_year = (date.today() + timedelta(days=365)).isoformat()
    await put(identity, f"/directory/placements/{second}", {
        "organisation_id": w["org"], "child_id": w["a"]["child"], "group_id": w["other_group"],
        "care_type": "after_school", "starts_on": next_year})
    await put(identity, f"/directory/children/{baby}", {  # a younger sibling without a placement yet
        "organisation_id": w["org"], "family_id": w["a"]["family"], "first_name": "Sem", "last_name": "de Vries",
        "birth_date": "2025-02-01"})
    parent = w["a"]["parent"]
    me = await identity.get("/me", headers=internal_headers("parent", parent, w["org"],
                                                             session_id=await signed_in(identity, w["org"], parent)))
    assert me.status_code == 200, me.text
    assert me.json()["family"]["family_id"] == w["a"]["family"]
    # Written from its content without building MeOut: the same bytes as the documented model writes.
    assert me.content == MeOut.model_validate_json(me.content).model_dump_json().encode()
    found = me.json()["children"]
    async with identity.kit.database.transaction() as session:
        # The child page builds the same entry its own way (several queries): both must agree.
        page = await child_summaries(session, [await child_record(session, uuid.UUID(w["a"]["child"]))], date.today())
    child, sibling = found  # by birth date; family B's child is not among them
    assert sibling == {"child_id": baby, "first_name": "Sem", "last_name": "de Vries", "birth_date": "2025-02-01",
                       "mentor": None, "placements": []}
    assert child == page[0]
    assert child["child_id"] == w["a"]["child"] and child["birth_date"] == "2022-06-14"
    assert child["mentor"] == {"staff_id": w["staff"], "name": "Sanne"}
    current, future = child["placements"]  # the ended one is history; in order of start
    assert current == {
        "placement_id": w["a"]["placement"], "group": {"group_id": w["group"], "name": "group"},
        "location": {"location_id": w["location"], "name": "Zonnebloem"}, "care_type": "day_care",
        "starts_on": (date.today() - timedelta(days=365)).isoformat(), "ends_on": None,
    }
    assert future["placement_id"] == second and future["starts_on"] == next_year
    # Another session id, or this parent's id with family B's session: the session has ended for /me (401).
    other = await signed_in(identity, w["org"], w["b"]["parent"])
    for session_id in (new_id(), other):
        gone = await identity.get("/me", headers=internal_headers("parent", parent, w["org"], session_id=session_id))
        assert gone.status_code == 401


async def test_staff_list_their_groups_and_the_children_placed_there_today(identity):
    w = await world(identity)
    org = w["org"]
    # A second child on the group with photo consent, one whose placement ended, one who starts next month.
    extra = await family(identity, org, w["group"])
    await put(identity, f"/directory/children/{extra['child']}", {
        "organisation_id": org, "family_id": extra["family"], "first_name": "Anna", "last_name": "Bakker",
        "birth_date": "2022-01-01"})
    granted = await identity.put(f"/children/{extra['child']}/consents/photo_sharing", json={"granted": True},
                                 headers=as_parent({"org": org, "x": extra}, "x"))
    assert granted.status_code == 200, granted.text
    left, coming = await family(identity, org, w["group"]), await family(identity, org, w["group"])
    await put(identity, f"/directory/placements/{left['placement']}", {
        "organisation_id": org, "child_id": left["child"], "group_id": w["group"], "care_type": "day_care",
        "starts_on": "2024-01-01", "ends_on": (date.today() - timedelta(days=1)).isoformat()})
    await put(identity, f"/directory/placements/{coming['placement']}", {
        "organisation_id": org, "child_id": coming["child"], "group_id": w["group"], "care_type": "day_care",
        "starts_on": (date.today() + timedelta(days=30)).isoformat()})

    sanne = internal_headers("staff", w["staff"], org)
    r = await identity.get("/groups", headers=sanne)
    assert r.status_code == 200, r.text
    assert r.json() == {"items": [{"group_id": w["group"], "name": "group", "care_type": None,
                                   "location": {"location_id": w["location"], "name": "Zonnebloem"}}]}

    r = await identity.get(f"/groups/{w['group']}/children", headers=sanne)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["group"]["group_id"] == w["group"]
    assert body["children"] == [  # by first name: today's placements only, each child once
        {"child_id": extra["child"], "first_name": "Anna", "last_name": "Bakker", "photo_sharing": True},
        {"child_id": w["a"]["child"], "first_name": "Noor", "last_name": "de Vries", "photo_sharing": False},
    ]



async def test_a_group_of_someone_else_is_not_found_and_parents_are_refused(identity):
    w = await world(identity)
    sanne = internal_headers("staff", w["staff"], w["org"])
    for group in (w["other_group"], new_id()):  # a colleague's group looks like one that does not exist
        r = await identity.get(f"/groups/{group}/children", headers=sanne)
        assert r.status_code == 404, r.text
        assert r.json()["error"] == {"code": "not_found", "message": "No such group.", "details": None}
    # Staff of another organisation (even with Sanne's id), and a staff member no longer active.
    other = await world(identity)
    for headers in (internal_headers("staff", other["staff"], other["org"]),
                    internal_headers("staff", w["staff"], other["org"]),
                    internal_headers("org_admin", new_id(), other["org"])):
        assert (await identity.get(f"/groups/{w['group']}/children", headers=headers)).status_code == 404
        assert w["group"] not in (await identity.get("/groups", headers=headers)).text
    await put(identity, f"/directory/staff/{w['staff']}", {"organisation_id": w["org"], "name": "Sanne",
                                                           "group_ids": [w["group"]], "active": False})
    assert (await identity.get(f"/groups/{w['group']}/children", headers=sanne)).status_code == 404
    assert (await identity.get("/groups", headers=sanne)).json() == {"items": []}
    # Parents, ERP systems and the operator manage no group's children here: 403, saying nothing of the group.
    for headers in (as_parent(w, "a"), internal_headers("erp", "erp-1", w["org"]),
                    internal_headers("platform_operator", "operator-1")):
        for path in ("/groups", f"/groups/{w['group']}/children"):
            r = await identity.get(path, headers=headers)
            assert r.status_code == 403, (path, r.text)
    # A malformed id is a clear 422, never a 500.
    assert (await identity.get("/groups/not-a-uuid/children", headers=sanne)).status_code == 422



async def test_admins_see_every_group_of_their_organisation(identity):
    w = await world(identity)
    admin = internal_headers("org_admin", new_id(), w["org"])
    r = await identity.get("/groups", headers=admin)
    assert r.status_code == 200, r.text
    assert [g["group_id"] for g in r.json()["items"]] == [w["group"], w["other_group"]]  # by name
    r = await identity.get(f"/groups/{w['other_group']}/children", headers=admin)
    assert [c["child_id"] for c in r.json()["children"]] == [w["b"]["child"]]
