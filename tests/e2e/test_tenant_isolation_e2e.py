"""Tenant isolation as an attacker would test it: organisation A's admin, ERP and staff on B's every id.

The operations are enumerated from the gateway's OpenAPI, so a new route joins the sweep by itself (and
fails it until it says which of B's ids it takes and which body an attacker would send).
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from e2e_world import OPERATOR, PASSWORD, address, bearer, client_ip, logged_in, new_id, put
from konnect_devstack.pytest_plugin import eventually
from konnect_kit.media.samples import png
from location_e2e_world import location_content
from planning_world import PlanningWorld, build_planning_world, grant_credit, monday_in
from timeline_e2e_world import timeline_content

# Routes with nothing of another organisation to aim at: the caller's own account, sessions and settings,
# the public auth routes, and health. Everything else in the OpenAPI is swept.
OWN_OR_PUBLIC = re.compile(
    r"^/(health|ready)$|^/api/v1/auth/(?!machine-clients)|^/api/v1/(me|account|notification-settings)$"
    r"|^/api/v1/push-devices$|^/api/v1/timeline/status$"  # the same answer for every caller, no organisation
    r"|^/api/v1/timeline/(uploads|feed|feed/seen)$"  # the caller's own uploads and family feed
    r"|^/api/v1/location(/team|/news|/newsletters|/info-pages)?$|^/api/v1/observation-templates$"  # caller's own
    r"|^/api/v1/inbox(/unread-count|/read-all|/stream)?$"
    r"|^/api/v1/calendar-feed$|^/api/v1/calendar-feeds/\{secret\}$"  # the caller's own inbox and calendar
    r"|^/api/v1/email-unsubscribe/\{token\}$")  # feed; public URLs naming no id, only a secret or a signed token
# The caller's own list, in any organisation (every item of it is checked by the messaging e2e tests).
OWN_OPERATIONS = {("get", "/api/v1/conversations"), ("post", "/api/v1/message-attachments"),
                  ("get", "/api/v1/groups")}  # the caller's own groups: checked below to hold none of B's
# Operations a role may not use at all, in any organisation: 403 there says nothing about B.
ROLE_REFUSED = {
    *(("erp", method, path) for method, path in (  # conversations are between people, never machines
        ("post", "/api/v1/conversations"), ("post", "/api/v1/group-messages"),
        ("get", "/api/v1/conversations/{conversation_id}"),
        ("post", "/api/v1/conversations/{conversation_id}/messages"),
        ("post", "/api/v1/message-attachments/{message_attachment_id}/confirm"),
        ("get", "/api/v1/conversations/{conversation_id}/attachments/{message_attachment_id}"))),
    ("erp", "get", "/api/v1/admin/accounts/{account_id}"),
    ("erp", "delete", "/api/v1/push-devices/{device_id}"),
    ("erp", "post", "/api/v1/inbox/{item_id}/read"),
    ("erp", "post", "/api/v1/auth/machine-clients"),
    # timeline: files and diary entries come from parents and staff, never from an ERP
    ("erp", "post", "/api/v1/timeline/uploads/{upload_id}/confirm"),
    ("erp", "post", "/api/v1/timeline/series"),
    ("erp", "get", "/api/v1/timeline/groups/{group_id}/series"),  # staff and administrators only
    ("erp", "post", "/api/v1/timeline/children/{child_id}/diary"),
    ("erp", "get", "/api/v1/groups/{group_id}/children"),  # a group's children: its staff and the admins
}


@dataclass
class Tenant:
    """One organisation with at least one record of every kind an id in the API can name."""

    world: PlanningWorld
    admin_id: str = ""
    admin_email: str = ""
    admin: dict = field(default_factory=dict)  # tokens
    staff_id: str = ""
    staff: dict = field(default_factory=dict)
    erp: dict = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)


async def staff_member(gateway: httpx.AsyncClient, mailpit: Any, w: PlanningWorld, *, is_admin: bool) -> tuple:
    staff_id, email = new_id(), address("admin" if is_admin else "staff")
    await put(gateway, f"/admin/directory/staff/{staff_id}", {
        "organisation_id": w.org, "name": "Admin" if is_admin else "Staff", "email": email, "is_admin": is_admin,
        "group_ids": [w.groups["dolfijnen"]]})
    return staff_id, email, await logged_in(gateway, mailpit, email)


async def build_tenant(gateway: httpx.AsyncClient, mailpit: Any) -> Tenant:
    w = await build_planning_world(gateway, mailpit)
    t = Tenant(world=w)
    t.admin_id, t.admin_email, t.admin = await staff_member(gateway, mailpit, w, is_admin=True)
    t.staff_id, _, t.staff = await staff_member(gateway, mailpit, w, is_admin=False)
    client = (await gateway.post("/api/v1/auth/machine-clients", headers=OPERATOR,
                                 json={"organisation_id": w.org, "name": "ERP"})).json()
    t.erp = (await gateway.post("/api/v1/auth/machine-token", json={
        "client_id": client["client_id"], "client_secret": client["client_secret"]})).json()
    key = f"b{uuid.uuid4().hex[:8]}"
    await put(gateway, f"/admin/directory/consent-kinds/{key}",
              {"organisation_id": w.org, "label_nl": "Foto's", "label_en": "Photos"})
    holiday = new_id()
    await put(gateway, f"/admin/planning/school-holidays/{holiday}", {
        "organisation_id": w.org, "name": "Herfst", "starts_on": "2026-10-19", "ends_on": "2026-10-23"})
    closed = monday_in(5)
    await put(gateway, f"/admin/planning/organisations/{w.org}/closing-days/{closed.isoformat()}",
              {"reason": "Studiedag"})
    credit = await grant_credit(gateway, w, "noor", "10")
    placements = (await gateway.get("/api/v1/admin/directory/placements", headers=OPERATOR,
                                    params={"organisation_id": w.org, "child_id": w.children["noor"]})).json()
    request = await gateway.post("/api/v1/requests/extra-days", headers=w.as_parent("eva"), json={"bookings": [
        {"starts_on": (monday_in(3) + timedelta(days=2)).isoformat(),
         "children": [{"child_id": w.children["noor"], "day_part_ids": [w.parts["morning"]]}]}]})
    assert request.status_code == 201, request.text
    absence = await gateway.post("/api/v1/absences", headers=w.as_parent("ilse"), json={
        "starts_on": (monday_in(3) + timedelta(days=3)).isoformat(), "reason": "sick",
        "children": [{"child_id": w.children["mila"], "day_part_ids": [w.parts["morning"]]}]})
    assert absence.status_code == 201, absence.text
    conversation, attachment = await conversation_of(gateway, w)
    device = await gateway.post("/api/v1/push-devices", headers=w.as_parent("eva"),
                                json={"token": f"fcm-{uuid.uuid4().hex}", "platform": "android"})
    assert device.status_code == 201, device.text
    inbox_item = await _inbox_item(gateway, w)  # the absence above reaches Ilse's inbox
    t.ids = {
        "organisation_id": w.org, "location_id": w.location, "group_id": w.groups["dolfijnen"],
        "staff_id": t.staff_id, "family_id": w.families["devries"], "parent_id": w.parents["eva"][0],
        "child_id": w.children["noor"], "placement_id": placements["items"][0]["placement_id"],
        "account_id": t.admin_id, "day_part_id": w.parts["morning"], "holiday_id": holiday,
        "credit_id": credit, "request_id": request.json()["request_id"],
        "absence_id": absence.json()["absences"][0]["absence_id"], "device_id": device.json()["device_id"],
        "key": key, "kind": key, "day": closed.isoformat(), "conversation_id": conversation,
        "message_attachment_id": attachment, "item_id": inbox_item,
    }
    t.ids.update(await timeline_content(gateway, bearer(t.staff), w.groups["dolfijnen"], w.children["noor"]))
    # My location: a news item with a PDF, an observation template and an observation (with a PDF) of Noor.
    t.ids |= await location_content(gateway, w.org, bearer(t.admin), bearer(t.staff), w.as_parent("eva"), "Staff",
                                    w.children["noor"])
    return t


async def conversation_of(gateway: httpx.AsyncClient, w: PlanningWorld) -> tuple[str, str]:
    """Eva writes to Noor's group with a photo (once messaging has the directory: until then Noor is unknown
    there); (conversation id, attachment id)."""
    eva, key = w.as_parent("eva"), new_id()
    started = (await gateway.post("/api/v1/message-attachments", json={"file_name": "noor.png"}, headers=eva)).json()
    async with httpx.AsyncClient(timeout=30) as s3:
        await s3.post(started["upload"]["url"], data=started["upload"]["fields"], files={"file": ("noor.png", png())})
    attachment = started["attachment_id"]
    confirmed = await gateway.post(f"/api/v1/message-attachments/{attachment}/confirm", headers=eva)
    assert confirmed.status_code == 200, confirmed.text

    async def conversation() -> str | None:
        r = await gateway.post("/api/v1/conversations", headers={**eva, "Idempotency-Key": key}, json={
            "child_id": w.children["noor"], "subject": "Ophalen", "text": "Opa haalt op.",
            "attachment_ids": [attachment]})
        if r.status_code == 404:
            return None
        assert r.status_code == 201, r.text
        return r.json()["conversation_id"]

    return await eventually(conversation, timeout=30), attachment


async def _inbox_item(gateway: httpx.AsyncClient, w: PlanningWorld) -> str:
    async def first() -> str | None:
        items = (await gateway.get("/api/v1/inbox", headers=w.as_parent("ilse"))).json()["items"]
        return items[0]["item_id"] if items else None

    return await eventually(first, timeout=30)


def attack_bodies(method: str, path: str, a: Tenant, b: Tenant) -> list[dict | None]:
    """What an attacker in A sends with B's ids: claiming their own organisation, and claiming B's.

    A route missing here fails the sweep on purpose: its author decides what an attack on it looks like.
    """
    mine, theirs, bi = a.world.org, b.world.org, b.ids
    future = (monday_in(3) + timedelta(days=1)).isoformat()
    per_org = {
        ("put", "/api/v1/admin/directory/locations/{location_id}"): lambda org: {"organisation_id": org,
                                                                                 "name": "Taken"},
        ("put", "/api/v1/admin/directory/groups/{group_id}"): lambda org: {
            "organisation_id": org, "location_id": a.world.location if org == mine else bi["location_id"],
            "name": "Taken", "care_type": "day_care"},
        ("put", "/api/v1/admin/directory/staff/{staff_id}"): lambda org: {
            "organisation_id": org, "name": "Taken", "email": address("attacker"), "is_admin": True},
        ("put", "/api/v1/admin/directory/families/{family_id}"): lambda org: {"organisation_id": org,
                                                                              "name": "Taken"},
        ("put", "/api/v1/admin/directory/parents/{parent_id}"): lambda org: {
            "organisation_id": org, "family_id": a.world.families["bakker"] if org == mine else bi["family_id"],
            "name": "Taken", "email": address("attacker")},
        ("put", "/api/v1/admin/directory/children/{child_id}"): lambda org: {
            "organisation_id": org, "family_id": a.world.families["bakker"] if org == mine else bi["family_id"],
            "first_name": "Taken", "last_name": "Taken", "birth_date": "2023-01-01"},
        ("put", "/api/v1/admin/directory/placements/{placement_id}"): lambda org: {
            "organisation_id": org, "child_id": a.world.children["mila"] if org == mine else bi["child_id"],
            "group_id": a.world.groups["egeltjes"] if org == mine else bi["group_id"], "care_type": "day_care",
            "starts_on": "2026-01-05"},
        ("put", "/api/v1/admin/directory/consent-kinds/{key}"): lambda org: {
            "organisation_id": org, "label_nl": "Genomen", "label_en": "Taken"},
        ("post", "/api/v1/admin/directory/republish"): lambda org: {"organisation_id": org},
        ("put", "/api/v1/admin/planning/day-parts/{day_part_id}"): lambda org: {
            "organisation_id": org, "care_type": "day_care", "name": "Taken", "starts_at": "07:00",
            "ends_at": "08:00", "price_per_part": "1.00"},
        ("put", "/api/v1/admin/planning/school-holidays/{holiday_id}"): lambda org: {
            "organisation_id": org, "name": "Taken", "starts_on": "2026-12-21", "ends_on": "2026-12-24"},
        ("put", "/api/v1/credits/{credit_id}"): lambda org: {
            "organisation_id": org, "child_id": a.world.children["mila"] if org == mine else bi["child_id"],
            "unit": "hours", "amount": "99", "valid_from": "2026-01-01", "valid_until": "2027-12-31"},
        ("post", "/api/v1/auth/machine-clients"): lambda org: {"organisation_id": org, "name": "Taken"},
        ("put", "/api/v1/platform/organisations/{organisation_id}"): lambda org: {"name": "Taken"},
        ("post", "/api/v1/admin/location/items"): lambda org: {
            "organisation_id": org, "kind": "news", "title": "Taken", "body": "<p>Taken</p>",
            "audience": "organisation", "audience_id": org},
        ("put", "/api/v1/admin/location/items/{item_id}"): lambda org: {
            "organisation_id": org, "kind": "news", "title": "Taken", "body": "<p>Taken</p>",
            "audience": "organisation", "audience_id": org},
        ("put", "/api/v1/admin/observation-templates/{template_id}"): lambda org: {
            "organisation_id": org, "title": "Taken", "questions": [{"question_id": "q1", "text": "Taken"}]},
    }
    fixed: dict[tuple[str, str], list[dict | None]] = {
        ("put", "/api/v1/admin/planning/organisations/{organisation_id}/settings"): [
            {"open_weekdays": [5, 6], "cancel_window_hours": 0}],
        ("put", "/api/v1/admin/planning/organisations/{organisation_id}/closing-days/{day}"): [{"reason": "Taken"}],
        ("put", "/api/v1/admin/planning/groups/{group_id}/capacity/{day_part_id}"): [{"capacity": 0}],
        ("put", "/api/v1/children/{child_id}/consents/{kind}"): [{"granted": True}],
        ("post", "/api/v1/requests/{request_id}/children/{child_id}/evaluate"): [{"outcome": "accepted"}],
        ("post", "/api/v1/requests/extra-days"): [{"family_id": bi["family_id"], "bookings": [
            {"starts_on": future, "children": [{"child_id": bi["child_id"], "day_part_ids": [bi["day_part_id"]]}]}]}],
        ("post", "/api/v1/requests/swaps"): [{"family_id": bi["family_id"], "swaps": [
            {"child_id": bi["child_id"], "give_up_date": monday_in(3).isoformat(),
             "give_up_day_part_ids": [bi["day_part_id"]], "target_date": future,
             "day_part_ids": [bi["day_part_id"]]}]}],
        ("post", "/api/v1/conversations"): [{"child_id": bi["child_id"], "subject": "Taken", "text": "Taken"}],
        ("post", "/api/v1/group-messages"): [{"group_id": bi["group_id"], "subject": "Taken", "text": "Taken"}],
        ("post", "/api/v1/conversations/{conversation_id}/messages"): [{"text": "Taken"}],
        ("post", "/api/v1/admin/location/items/{item_id}/attachments"): [{"file_name": "taken.pdf"}],
        ("post", "/api/v1/observations/{observation_id}/attachment"): [{"file_name": "taken.pdf"}],
        ("put", "/api/v1/admin/organisations/{organisation_id}/media-settings"): [
            {"downloads_allowed": True, "videos_enabled": True, "photo_retention_months": 1}],
        ("post", "/api/v1/children/{child_id}/observations"): [
            {"template_id": bi["template_id"], "answers": {"q1": "Taken"}}],
        ("post", "/api/v1/timeline/series"): [{"group_id": bi["group_id"], "child_ids": [bi["child_id"]],
                                                "photos": [{"upload_id": bi["upload_id"]}]}],
        ("post", "/api/v1/timeline/children/{child_id}/diary"): [{"text": "Overgenomen"}],
        ("post", "/api/v1/platform/mail-bounces"): [{"email": "taken@example.com", "kind": "complaint"}],
        ("post", "/api/v1/absences"): [{
            "family_id": bi["family_id"], "starts_on": future, "reason": "sick",
            "children": [{"child_id": bi["child_id"], "day_part_ids": [bi["day_part_id"]]}]}],
    }
    if (method, path) in per_org:
        # Claiming their own organisation is an attack only where the path names one of B's records;
        # republish, machine clients and consent-kind keys (keys are per organisation) name none.
        global_id = re.search(r"{\w+_id}", path) is not None
        return ([per_org[(method, path)](mine)] if global_id else []) + [per_org[(method, path)](theirs)]
    if (method, path) in fixed:
        return fixed[(method, path)]
    return [None]


def target(path: str, operation: dict, b: Tenant) -> tuple[str, dict[str, str]]:
    url = path
    for name in re.findall(r"{(\w+)}", path):
        assert name in b.ids, f"the sweep has no id of organisation B for {{{name}}} in {path}: add one"
        url = url.replace("{" + name + "}", b.ids[name])
    dates = {"from": date.today().isoformat(), "to": (date.today() + timedelta(days=27)).isoformat(),
             "starts_on": monday_in(3).isoformat()}
    query = {}
    for param in operation.get("parameters", []):
        if param["in"] != "query":
            continue
        if param["name"] in b.ids:
            query[param["name"]] = b.ids[param["name"]]
        elif param["name"] in dates:
            query[param["name"]] = dates[param["name"]]
    return url, query


async def snapshot(gateway: httpx.AsyncClient, b: Tenant) -> dict[str, Any]:
    """Everything of B the sweep could touch, read back by the platform operator and B's own people."""
    org = b.world.org
    reads: dict[str, Any] = {}
    for kind in ("locations", "groups", "staff", "families", "parents", "children", "placements", "consent-kinds"):
        reads[kind] = (await gateway.get(f"/api/v1/admin/directory/{kind}", params={"organisation_id": org},
                                         headers=OPERATOR)).json()
    for path, params in (("/admin/planning/day-parts", {"organisation_id": org}),
                         (f"/admin/planning/organisations/{org}/settings", {}),
                         (f"/admin/planning/organisations/{org}/closing-days", {}),
                         ("/admin/planning/school-holidays", {"organisation_id": org}),
                         (f"/admin/planning/groups/{b.ids['group_id']}/capacity", {}),
                         (f"/admin/accounts/{b.admin_id}", {}),
                         (f"/admin/accounts/{b.world.parents['eva'][0]}", {}),
                         (f"/credits/{b.ids['credit_id']}", {}),
                         (f"/children/{b.ids['child_id']}/credits", {}),
                         (f"/children/{b.ids['child_id']}/consents", {}),
                         ("/admin/location/items", {"organisation_id": org}),
                         (f"/admin/organisations/{org}/media-settings", {}),
                         (f"/children/{b.ids['child_id']}/observations", {})):
        reads[path] = (await gateway.get(f"/api/v1{path}", params=params, headers=OPERATOR)).json()
    eva = b.world.as_parent("eva")
    reads["requests"] = (await gateway.get("/api/v1/requests", headers=eva)).json()
    reads["devices"] = (await gateway.get("/api/v1/push-devices", headers=eva)).json()
    reads["conversations"] = (await gateway.get("/api/v1/conversations", headers=eva)).json()
    reads["conversation"] = (await gateway.get(f"/api/v1/conversations/{b.ids['conversation_id']}", headers=eva)).json()
    reads["me"] = (await gateway.get("/api/v1/me", headers=bearer(b.admin))).json()
    return reads


async def test_organisation_a_gets_404_on_every_operation_aimed_at_organisation_b(gateway, mailpit):
    a, b = await build_tenant(gateway, mailpit), await build_tenant(gateway, mailpit)
    before = await snapshot(gateway, b)
    spec = (await gateway.get("/openapi.json")).json()
    operations = [(path, method, op) for path, ops in spec["paths"].items() for method, op in ops.items()
                  if not OWN_OR_PUBLIC.search(path) and (method, path) not in OWN_OPERATIONS]
    assert len(operations) >= 50  # directory, planning, credits, devices… and every new route
    attackers = {"org_admin": bearer(a.admin), "erp": bearer(a.erp)}
    wrong: list[tuple] = []
    for path, method, operation in operations:
        url, query = target(path, operation, b)
        for body in attack_bodies(method, path, a, b):
            needs_body = operation.get("requestBody", {}).get("required", False)
            assert body is not None or not needs_body, f"add an attacker's body for {method} {path}"
            for role, headers in attackers.items():
                r = await gateway.request(method.upper(), url, params=query, json=body, headers=headers)
                refused_role = path.startswith("/api/v1/platform/") or (role, method, path) in ROLE_REFUSED
                if r.status_code != 404 and not (r.status_code == 403 and refused_role):
                    wrong.append((role, method.upper(), url, body, r.status_code, r.text[:200]))
            # Staff of A are no managers at all: a refusal, whichever, but never a success.
            r = await gateway.request(method.upper(), url, params=query, json=body, headers=bearer(a.staff))
            if r.status_code < 400:
                wrong.append(("staff", method.upper(), url, body, r.status_code, r.text[:200]))
    assert wrong == [], "\n".join(map(str, wrong))
    assert await snapshot(gateway, b) == before  # nothing of B changed
    # The own list of groups: A's admin and staff see A's group, never B's.
    for tokens in (a.admin, a.staff):
        listed = (await gateway.get("/api/v1/groups", headers=bearer(tokens))).json()["items"]
        assert [g["group_id"] for g in listed if g["group_id"] in (a.ids["group_id"], b.ids["group_id"])] == [
            a.ids["group_id"]]
    # B's admin still logs in with their own password and is still B's admin.
    login = await gateway.post("/api/v1/auth/login", headers=client_ip(),
                               json={"email": b.admin_email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    me = (await gateway.get("/api/v1/me", headers=bearer(login.json()))).json()
    assert me["account"]["role"] == "org_admin" and me["account"]["organisation"]["organisation_id"] == b.world.org


async def test_an_admin_cannot_take_over_another_organisations_account_through_the_directory(gateway, mailpit):
    """The reported attack: PUT staff/parents/<B's account id> with A's organisation and the attacker's e-mail."""
    a, b = await build_tenant(gateway, mailpit), await build_tenant(gateway, mailpit)
    attacker_mail = address("attacker")
    victims = (b.admin_id, b.world.parents["eva"][0])  # a staff login and a parent's, on either route
    for kind, victim in [(kind, victim) for kind in ("staff", "parents") for victim in victims]:
        body = {"organisation_id": a.world.org, "name": "Mallory", "email": attacker_mail, "is_admin": True}
        if kind == "parents":
            body = {"organisation_id": a.world.org, "family_id": a.world.families["bakker"], "name": "Mallory",
                    "email": attacker_mail}
        for headers in (bearer(a.admin), bearer(a.erp)):
            r = await gateway.put(f"/api/v1/admin/directory/{kind}/{victim}", json=body, headers=headers)
            assert r.status_code == 404, (kind, r.status_code, r.text)
            assert r.json()["error"]["code"] == "not_found"
    # No invitation went to the attacker, and B's people keep their logins.
    await gateway.post("/api/v1/auth/password-reset", json={"email": attacker_mail}, headers=client_ip())
    assert mailpit.count(attacker_mail) == 0
    victim_account = (await gateway.get(f"/api/v1/admin/accounts/{b.admin_id}", headers=OPERATOR)).json()
    assert victim_account["email"] == b.admin_email and victim_account["role"] == "org_admin"
    assert victim_account["organisation_id"] == b.world.org
    parent_account = (await gateway.get(f"/api/v1/admin/accounts/{victims[1]}", headers=OPERATOR)).json()
    assert parent_account["email"] == b.world.parents["eva"][1] and parent_account["role"] == "parent"
    # A's own directory gained no record with B's ids.
    for kind, victim in [(kind, victim) for kind in ("staff", "parents") for victim in victims]:
        r = await gateway.get(f"/api/v1/admin/directory/{kind}/{victim}", headers=bearer(a.admin))
        assert r.status_code == 404


async def test_the_same_id_in_two_organisations_never_shares_a_login(gateway, mailpit):
    """Ids are chosen by ERPs: a collision (or a guess) with another organisation's record is refused, never merged."""
    a, b = await build_tenant(gateway, mailpit), await build_tenant(gateway, mailpit)
    # B's plain staff member's id, reused by A for a parent: the login of B's person must stay B's.
    r = await gateway.put(f"/api/v1/admin/directory/parents/{b.staff_id}", headers=bearer(a.admin), json={
        "organisation_id": a.world.org, "family_id": a.world.families["bakker"], "name": "Copy",
        "email": address("copy")})
    assert r.status_code == 404, r.text
    staff = (await gateway.get(f"/api/v1/admin/accounts/{b.staff_id}", headers=OPERATOR)).json()
    assert staff["role"] == "staff" and staff["organisation_id"] == b.world.org
