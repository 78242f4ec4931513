"""Calendar admin API, agenda, day detail and availability on real PostgreSQL (read models fed through handlers)."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from konnect_contracts.envelope import Envelope
from konnect_contracts.events import directory as ev
from konnect_devstack.pytest_plugin import internal_headers, running_app
from konnect_kit.consumer import EventContext
from planning.api.calendar_models import AvailabilityOut, DayDetailOut
from planning.db import agenda as agenda_queries
from planning.db import overview as overview_queries
from planning.db.calendar import care_changes
from planning.handlers import directory as handlers
from planning.main import create_app
from planning.service_layer import calendar as cal
from planning.settings import Settings
from sqlalchemy import insert, text

OPERATOR = internal_headers("platform_operator", "operator-1")
MONDAY = date(2030, 3, 4)
TUESDAY, WEDNESDAY, SATURDAY = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2), MONDAY + timedelta(days=5)


def new_id() -> str:
    return str(uuid.uuid4())


def admin(org: str) -> dict[str, str]:
    return internal_headers("org_admin", new_id(), org)


@pytest.fixture
async def planning(planning_env) -> AsyncIterator[Any]:
    app = create_app(planning_env.settings(environment="test"))
    async with running_app(app) as client:
        app.state.clock.set(datetime(2030, 3, 1, 9, tzinfo=UTC))  # Friday before MONDAY
        yield client


async def feed(client: Any, *events: ev.DirectoryUpsert) -> None:
    """Apply directory events as the consumer would: one transaction, the planning handlers."""
    route = {ev.OrganisationUpserted: handlers.organisation_upserted, ev.LocationUpserted: handlers.location_upserted,
             ev.GroupUpserted: handlers.group_upserted, ev.FamilyUpserted: handlers.family_upserted,
             ev.ParentUpserted: handlers.parent_upserted, ev.ChildUpserted: handlers.child_upserted,
             ev.PlacementUpserted: handlers.placement_upserted}
    kit = client.app.state.kit
    async with kit.database.transaction() as session:
        for event in events:
            envelope = Envelope.wrap(event, producer="identity", correlation_id="test")
            await route[type(event)](EventContext(session, envelope, kit.outbox), event)


async def put(client: Any, path: str, body: dict, headers: dict | None = None, status: int = 200) -> dict:
    r = await client.put(path, json=body, headers=headers or OPERATOR)
    assert r.status_code == status, r.text
    return r.json()


async def world(client: Any) -> dict[str, Any]:
    """One organisation with a day-care group, two families, three children, day parts and placements."""
    ids = {k: uuid.uuid4() for k in ("org", "location", "group", "family", "other_family", "parent", "other_parent",
                                     "noor", "sem", "lotte", "p_noor", "p_sem", "p_lotte")}
    org = ids["org"]
    await feed(client, ev.OrganisationUpserted(organisation_id=org, version=1, name="De Regenboog"))
    ids["morning"], ids["afternoon"], ids["bso"] = new_id(), new_id(), new_id()
    base = {"organisation_id": str(org), "care_type": "day_care"}
    await put(client, f"/planning/day-parts/{ids['morning']}",
              {**base, "name": "Ochtend", "starts_at": "07:30", "ends_at": "13:00", "price_per_hour": "9.85"})
    await put(client, f"/planning/day-parts/{ids['afternoon']}",
              {**base, "name": "Middag", "starts_at": "13:00", "ends_at": "18:30", "price_per_part": "45"})
    await put(client, f"/planning/day-parts/{ids['bso']}", {**base, "care_type": "after_school", "name": "BSO",
                                                              "starts_at": "14:00", "ends_at": "18:00",
                                                              "price_per_part": "30"})
    morning, afternoon = uuid.UUID(ids["morning"]), uuid.UUID(ids["afternoon"])
    common = {"organisation_id": org, "version": 1}
    events: list[ev.DirectoryUpsert] = [
        ev.LocationUpserted(**common, location_id=ids["location"], name="Zonnebloem"),
        ev.GroupUpserted(**common, group_id=ids["group"], location_id=ids["location"], name="De Uiltjes",
                         care_type="day_care"),
        ev.FamilyUpserted(**common, family_id=ids["family"], name="Familie de Vries"),
        ev.FamilyUpserted(**common, family_id=ids["other_family"], name="Familie Jansen"),
        ev.ParentUpserted(**common, account_id=ids["parent"], family_id=ids["family"], name="Eva",
                          email="eva@example.test"),
        ev.ParentUpserted(**common, account_id=ids["other_parent"], family_id=ids["other_family"], name="Bram",
                          email="bram@example.test"),
    ]
    for child, family, first in (("noor", "family", "Noor"), ("sem", "family", "Sem"),
                                 ("lotte", "other_family", "Lotte")):
        events.append(ev.ChildUpserted(**common, child_id=ids[child], family_id=ids[family], first_name=first,
                                       last_name="X", birth_date=date(2027, 1, 1)))
    slot = ev.WeeklySlot
    events += [
        # Noor: Monday whole day, Wednesday morning; Sem: Tuesday afternoon from Tuesday on; Lotte: Tuesday afternoon.
        ev.PlacementUpserted(**common, placement_id=ids["p_noor"], child_id=ids["noor"], family_id=ids["family"],
                             group_id=ids["group"], location_id=ids["location"], care_type="day_care",
                             starts_on=MONDAY - timedelta(days=60),
                             weekly_pattern=(slot(weekday=0, day_part_ids=(morning, afternoon)),
                                             slot(weekday=2, day_part_ids=(morning,)))),
        ev.PlacementUpserted(**common, placement_id=ids["p_sem"], child_id=ids["sem"], family_id=ids["family"],
                             group_id=ids["group"], location_id=ids["location"], care_type="day_care",
                             starts_on=TUESDAY, weekly_pattern=(slot(weekday=1, day_part_ids=(afternoon,)),)),
        ev.PlacementUpserted(**common, placement_id=ids["p_lotte"], child_id=ids["lotte"],
                             family_id=ids["other_family"], group_id=ids["group"], location_id=ids["location"],
                             care_type="day_care", starts_on=MONDAY - timedelta(days=60),
                             ends_on=MONDAY + timedelta(days=30),
                             weekly_pattern=(slot(weekday=1, day_part_ids=(afternoon,)),)),
    ]
    await feed(client, *events)
    return {k: str(v) for k, v in ids.items()}


def parent(ids: dict, key: str = "parent") -> dict[str, str]:
    return internal_headers("parent", ids[key], ids["org"])


async def add_change(client: Any, ids: dict, child: str, day: date, part: str, delta: int, kind: str) -> str:
    change_id = uuid.uuid4()
    async with client.app.state.kit.database.transaction() as session:
        await session.execute(insert(care_changes).values(
            change_id=change_id, organisation_id=ids["org"], child_id=ids[child], group_id=ids["group"], date=day,
            day_part_id=ids[part], delta=delta, source_kind=kind, source_id=uuid.uuid4()))
    return str(change_id)


# -- admin API ------------------------------------------------------------------------------------

async def test_day_parts_are_idempotent_validated_and_tenant_bound(planning):
    ids = await world(planning)
    org, part = ids["org"], ids["morning"]
    body = {"organisation_id": org, "care_type": "day_care", "name": "Ochtend", "starts_at": "07:30",
            "ends_at": "13:00", "price_per_hour": "9.85"}
    again = await put(planning, f"/planning/day-parts/{part}", body, admin(org))
    assert again["version"] == 1 and again["starts_at"] == "07:30" and again["minutes"] == 330
    changed = await put(planning, f"/planning/day-parts/{part}", {**body, "ends_at": "12:30"}, admin(org))
    assert changed["version"] == 2
    r = await planning.get(f"/planning/day-parts/{part}", headers=admin(org))
    assert r.json()["ends_at"] == "12:30" and r.json()["price_per_hour"] == "9.85"
    r = await planning.get("/planning/day-parts", params={"organisation_id": org, "care_type": "after_school"},
                           headers=OPERATOR)
    assert [p["name"] for p in r.json()["items"]] == ["BSO"]

    for bad in ({"ends_at": "07:00"}, {"price_per_part": "3"}, {"price_per_hour": None}, {"price_per_hour": "-1"},
                {"starts_at": "7.30"}, {"care_type": "night"}, {"starts_at": "25:00"}):
        r = await planning.put(f"/planning/day-parts/{new_id()}", json={**body, **bad}, headers=OPERATOR)
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["error"]["code"] == "validation_failed"
    other_org = new_id()
    r = await planning.put(f"/planning/day-parts/{new_id()}", json={**body, "organisation_id": other_org},
                           headers=OPERATOR)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = await planning.put(f"/planning/day-parts/{new_id()}", json=body, headers=admin(other_org))
    assert r.status_code == 404, r.text  # another tenant's organisation: as if it did not exist
    for who in (internal_headers("staff", new_id(), org), parent(ids)):
        r = await planning.put(f"/planning/day-parts/{new_id()}", json=body, headers=who)
        assert r.status_code == 403, r.text  # roles that manage nothing
    r = await planning.get(f"/planning/day-parts/{part}", headers=admin(other_org))
    assert r.status_code == 404
    # A day part cannot move to another organisation: there, its id names nothing.
    await feed(planning, ev.OrganisationUpserted(organisation_id=uuid.UUID(other_org), version=1, name="Ander"))
    r = await planning.put(f"/planning/day-parts/{part}", json={**body, "organisation_id": other_org},
                           headers=OPERATOR)
    assert r.status_code == 404
    assert (await planning.get(f"/planning/day-parts/{part}", headers=OPERATOR)).json()["organisation_id"] == org


async def test_settings_closing_days_holidays_and_capacity(planning):
    ids = await world(planning)
    org = ids["org"]
    r = await planning.get(f"/planning/organisations/{org}/settings", headers=admin(org))
    assert r.json() == {"organisation_id": org, "version": 0, "open_weekdays": [0, 1, 2, 3, 4],
                        "cancel_window_hours": 24, "staff_may_evaluate": True}
    body = {"open_weekdays": [4, 0, 1, 2, 3, 5, 5], "cancel_window_hours": 48, "staff_may_evaluate": False}
    assert (await put(planning, f"/planning/organisations/{org}/settings", body, admin(org)))["version"] == 1
    same = await put(planning, f"/planning/organisations/{org}/settings", {**body, "open_weekdays": [0, 1, 2, 3, 4, 5]})
    assert same["version"] == 1 and same["open_weekdays"] == [0, 1, 2, 3, 4, 5]
    r = await planning.put(f"/planning/organisations/{org}/settings", json={"open_weekdays": [7]}, headers=OPERATOR)
    assert r.status_code == 422
    r = await planning.put(f"/planning/organisations/{new_id()}/settings", json=body, headers=OPERATOR)
    assert r.status_code == 404

    closing = f"/planning/organisations/{org}/closing-days"
    assert (await put(planning, f"{closing}/{MONDAY}", {"reason": "Studiedag"}))["version"] == 1
    assert (await put(planning, f"{closing}/{MONDAY}", {"reason": "Studiedag"}))["version"] == 1
    await put(planning, f"{closing}/2030-12-26", {"reason": "Tweede Kerstdag"})
    r = await planning.get(closing, params={"from": "2030-03-01", "to": "2030-03-31"}, headers=admin(org))
    assert [(d["date"], d["reason"]) for d in r.json()["items"]] == [(str(MONDAY), "Studiedag")]
    calendar = await _calendar(planning, org)
    assert calendar.closing_reason(MONDAY) == "closing_day: Studiedag" and calendar.cancel_window_hours == 48
    assert not calendar.staff_may_evaluate and calendar.is_open(SATURDAY)
    assert (await planning.delete(f"{closing}/{MONDAY}", headers=admin(org))).status_code == 204
    assert (await planning.delete(f"{closing}/{MONDAY}", headers=admin(org))).status_code == 204
    r = await planning.get(closing, headers=admin(org))
    assert [d["date"] for d in r.json()["items"]] == ["2030-12-26"]

    holiday = {"organisation_id": org, "name": "Voorjaarsvakantie", "starts_on": "2030-02-16",
               "ends_on": "2030-02-24"}
    hid = new_id()
    assert (await put(planning, f"/planning/school-holidays/{hid}", holiday))["version"] == 1
    assert (await put(planning, f"/planning/school-holidays/{hid}", holiday))["version"] == 1
    await put(planning, f"/planning/school-holidays/{new_id()}", {**holiday, "name": "Zomer", "starts_on": "2030-07-13",
                                                                 "ends_on": "2030-08-25"})
    r = await planning.put(f"/planning/school-holidays/{new_id()}", json={**holiday, "ends_on": "2030-02-01"},
                           headers=OPERATOR)
    assert r.status_code == 422
    r = await planning.get("/planning/school-holidays", params={"organisation_id": org, "from": "2030-06-01"},
                           headers=admin(org))
    assert [h["name"] for h in r.json()["items"]] == ["Zomer"]
    async with planning.app.state.kit.database.transaction() as session:
        assert await cal.in_school_holidays(session, uuid.UUID(org), date(2030, 2, 18), date(2030, 2, 22))
        assert not await cal.in_school_holidays(session, uuid.UUID(org), date(2030, 2, 24), date(2030, 2, 25))

    capacity = f"/planning/groups/{ids['group']}/capacity"
    assert (await put(planning, f"{capacity}/{ids['afternoon']}", {"capacity": 12}, admin(org)))["version"] == 1
    assert (await put(planning, f"{capacity}/{ids['afternoon']}", {"capacity": 12}))["version"] == 1
    assert (await put(planning, f"{capacity}/{ids['afternoon']}", {"capacity": 2}))["version"] == 2
    r = await planning.get(capacity, headers=admin(org))
    assert [(c["day_part_id"], c["capacity"]) for c in r.json()["items"]] == [(ids["afternoon"], 2)]
    r = await planning.put(f"{capacity}/{ids['bso']}", json={"capacity": 3}, headers=OPERATOR)
    assert r.status_code == 422 and r.json()["error"]["code"] == "care_type_mismatch"
    foreign = new_id()
    await feed(planning, ev.OrganisationUpserted(organisation_id=uuid.UUID(foreign), version=1, name="Ander"))
    await put(planning, f"/planning/day-parts/{foreign}", {"organisation_id": foreign, "care_type": "day_care",
                                                          "name": "X", "starts_at": "08:00", "ends_at": "09:00",
                                                          "price_per_part": "1"})
    r = await planning.put(f"{capacity}/{foreign}", json={"capacity": 3}, headers=OPERATOR)
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_reference"
    r = await planning.put(f"{capacity}/{ids['morning']}", json={"capacity": -1}, headers=OPERATOR)
    assert r.status_code == 422
    assert (await planning.get(f"/planning/groups/{new_id()}/capacity", headers=OPERATOR)).status_code == 404
    assert (await planning.get(capacity, headers=admin(foreign))).status_code == 404


async def _calendar(client: Any, org: str) -> Any:
    async with client.app.state.kit.database.transaction() as session:
        return await cal.organisation_calendar(session, uuid.UUID(org))


# -- agenda ---------------------------------------------------------------------------------------

async def test_agenda_lists_planned_care_with_changes_and_closing_days(planning):
    ids = await world(planning)
    await put(planning, f"/planning/organisations/{ids['org']}/closing-days/{WEDNESDAY}", {"reason": "Studiedag"})
    await add_change(planning, ids, "noor", MONDAY, "morning", -1, "absence")
    await add_change(planning, ids, "noor", TUESDAY, "afternoon", 1, "extra_day")
    await add_change(planning, ids, "sem", MONDAY + timedelta(days=8), "afternoon", -1, "swap_give_up")
    r = await planning.get("/agenda", params={"from": str(MONDAY), "to": str(MONDAY + timedelta(days=13))},
                           headers=parent(ids))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["family_id"] == ids["family"] and body["from"] == str(MONDAY)
    days = [(d["date"], d["first_name"], [(p["name"], p["absent"]) for p in d["parts"]], d["open"])
            for d in body["days"]]
    assert days == [
        (str(MONDAY), "Noor", [("Ochtend", True), ("Middag", False)], True),
        (str(TUESDAY), "Noor", [("Middag", False)], True),
        (str(TUESDAY), "Sem", [("Middag", False)], True),
        (str(WEDNESDAY), "Noor", [("Ochtend", False)], False),
        (str(MONDAY + timedelta(days=7)), "Noor", [("Ochtend", False), ("Middag", False)], True),
        (str(MONDAY + timedelta(days=9)), "Noor", [("Ochtend", False)], True),
    ]
    first = body["days"][0]
    assert first["group_name"] == "De Uiltjes" and first["location_name"] == "Zonnebloem"
    assert first["parts"][0]["starts_at"] == "07:30" and first["requests"] == []
    assert body["days"][3]["closing_reason"] == "closing_day: Studiedag"

    # Default range: four weeks from today in the organisation's zone.
    r = await planning.get("/agenda", headers=parent(ids))
    assert r.json()["from"] == "2030-03-01" and r.json()["to"] == "2030-03-28"
    bad = [{"from": "2030-03-10", "to": "2030-03-09"}, {"from": "2030-01-01", "to": "2030-04-03"}]
    for params in bad:
        r = await planning.get("/agenda", params=params, headers=parent(ids))
        assert r.status_code == 422 and r.json()["error"]["code"] in ("invalid_range", "range_too_long")
    ok = await planning.get("/agenda", params={"from": "2030-01-01", "to": "2030-04-02"}, headers=parent(ids))
    assert ok.status_code == 200  # exactly 92 dates


async def test_agenda_and_availability_stay_inside_the_family_and_organisation(planning):
    ids = await world(planning)
    r = await planning.get("/agenda", params={"from": str(MONDAY), "to": str(TUESDAY)},
                           headers=parent(ids, "other_parent"))
    assert [d["first_name"] for d in r.json()["days"]] == ["Lotte"]
    for path in (f"/agenda/{ids['noor']}/{MONDAY}", f"/availability/{ids['noor']}/{MONDAY}"):
        r = await planning.get(path, headers=parent(ids, "other_parent"))
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
        r = await planning.get(path, headers=internal_headers("staff", new_id(), new_id()))
        assert r.status_code == 404
        assert (await planning.get(path, headers=internal_headers("staff", new_id(), ids["org"]))).status_code == 200
    r = await planning.get("/agenda", params={"family_id": ids["family"]}, headers=parent(ids, "other_parent"))
    assert r.status_code == 404
    r = await planning.get("/agenda", params={"family_id": ids["family"], "from": str(MONDAY), "to": str(MONDAY)},
                           headers=internal_headers("staff", new_id(), ids["org"]))
    assert [d["first_name"] for d in r.json()["days"]] == ["Noor"]
    assert (await planning.get("/agenda", headers=admin(ids["org"]))).status_code == 422
    r = await planning.get("/agenda", params={"family_id": ids["family"]}, headers=admin(new_id()))
    assert r.status_code == 404
    r = await planning.get("/agenda", headers=internal_headers("parent", new_id(), ids["org"]))
    assert r.status_code == 404  # an account planning knows no family of
    # The same with dates (the family is then found by the agenda's own statement), and a bad range on top.
    week = {"from": str(MONDAY), "to": str(MONDAY + timedelta(days=6))}
    for params, headers in (({**week, "family_id": ids["family"]}, parent(ids, "other_parent")),
                            ({**week, "family_id": ids["family"]}, admin(new_id())),
                            ({**week, "family_id": new_id()}, admin(ids["org"])),
                            (week, internal_headers("parent", new_id(), ids["org"])),
                            (week, internal_headers("parent", "erp-no-uuid", ids["org"])),
                            ({"from": "2030-03-10", "to": "2030-03-09", "family_id": ids["family"]}, admin(new_id()))):
        r = await planning.get("/agenda", params=params, headers=headers)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", params
    assert (await planning.get("/agenda", params=week, headers=admin(ids["org"]))).status_code == 422
    for path in (f"/agenda/{new_id()}/{MONDAY}", f"/availability/{new_id()}/{MONDAY}"):  # no such child
        for headers in (admin(ids["org"]), parent(ids)):
            assert (await planning.get(path, headers=headers)).status_code == 404


async def test_day_detail(planning):
    ids = await world(planning)
    await add_change(planning, ids, "noor", MONDAY, "afternoon", -1, "absence")
    r = await planning.get(f"/agenda/{ids['noor']}/{MONDAY}", headers=parent(ids))
    body = r.json()
    # Written from its content without building DayDetailOut: the same bytes as the model writes.
    assert r.content == DayDetailOut.model_validate_json(r.content).model_dump_json().encode()
    assert r.status_code == 200 and body["group_name"] == "De Uiltjes" and body["location_name"] == "Zonnebloem"
    assert [(p["name"], p["starts_at"], p["ends_at"], p["absent"]) for p in body["parts"]] == [
        ("Ochtend", "07:30", "13:00", False), ("Middag", "13:00", "18:30", True)]
    assert body["placement"]["care_type"] == "day_care" and body["open"]
    r = await planning.get(f"/agenda/{ids['noor']}/{TUESDAY}", headers=parent(ids))
    assert r.json()["parts"] == [] and r.json()["group_name"] == "De Uiltjes"


async def test_agenda_enricher_extension_point(planning):
    ids = await world(planning)

    async def pending(session, family_id, start, end, days) -> None:
        for day in days:
            day["requests"].append({"kind": "extra_day", "status": "pending"})

    cal.register_agenda_enricher(pending)
    try:
        r = await planning.get("/agenda", params={"from": str(MONDAY), "to": str(MONDAY)}, headers=parent(ids))
        assert r.json()["days"][0]["requests"] == [{"kind": "extra_day", "status": "pending"}]
    finally:
        cal._enrichers.remove(pending)


# -- availability and the engine ----------------------------------------------------------------------

async def test_availability_options_prices_capacity_and_reasons(planning):
    ids = await world(planning)
    await put(planning, f"/planning/groups/{ids['group']}/capacity/{ids['afternoon']}", {"capacity": 2})
    r = await planning.get(f"/availability/{ids['noor']}/{TUESDAY}", headers=parent(ids))
    body = r.json()
    assert r.status_code == 200 and body["open"] and body["today"] == "2030-03-01"
    assert body["planned"] == [] and body["placement"]["group_id"] == ids["group"]
    options = {o["name"]: o for o in body["options"]}
    assert set(options) == {"Ochtend", "Middag"}  # only the placement's care type (no BSO)
    assert options["Ochtend"]["possible"] and options["Ochtend"]["price"] == "54.18"  # 5.5 h x 9.85
    # Sem and Lotte take both afternoon places on Tuesday.
    assert options["Middag"] == {**options["Middag"], "possible": False, "reason": "group_full", "price": "45.00"}
    # Written from its content without building AvailabilityOut: the same bytes as the model writes.
    assert r.content == AvailabilityOut.model_validate_json(r.content).model_dump_json().encode()

    # Lotte reports absence: her place is free again.
    await add_change(planning, ids, "lotte", TUESDAY, "afternoon", -1, "absence")
    async with planning.app.state.kit.database.transaction() as session:
        group, afternoon = uuid.UUID(ids["group"]), uuid.UUID(ids["afternoon"])
        assert await cal.occupancy(session, group, TUESDAY, afternoon) == 1
        assert await cal.has_room(session, group, TUESDAY, afternoon)
        assert await cal.has_room(session, group, TUESDAY, uuid.UUID(ids["morning"]))  # no capacity row
        planned = await cal.planned_parts(session, uuid.UUID(ids["lotte"]), TUESDAY)
        assert [(p.name, p.absent) for p in planned] == [("Middag", True)]
        assert (await cal.placement_on(session, uuid.UUID(ids["sem"]), MONDAY)) is None
        assert await cal.family_of_account(session, uuid.UUID(ids["parent"])) == uuid.UUID(ids["family"])
        kids = await cal.children_of_family(session, uuid.UUID(ids["family"]))
        assert [k.first_name for k in kids] == ["Noor", "Sem"]
        found = await cal.day_parts(session, [afternoon])
        assert cal.price_of(found[afternoon], 60) == 45
    r = await planning.get(f"/availability/{ids['noor']}/{TUESDAY}", headers=parent(ids))
    assert {o["name"]: o["possible"] for o in r.json()["options"]} == {"Ochtend": True, "Middag": True}

    # Planned day: planned parts are not offered again.
    r = await planning.get(f"/availability/{ids['noor']}/{WEDNESDAY}", headers=parent(ids))
    assert [p["name"] for p in r.json()["planned"]] == ["Ochtend"]
    assert [o["name"] for o in r.json()["options"]] == ["Middag"]
    # Saturday is closed; a date before today (in the organisation's zone) is in the past.
    r = await planning.get(f"/availability/{ids['noor']}/{SATURDAY}", headers=parent(ids))
    assert not r.json()["open"] and {o["reason"] for o in r.json()["options"]} == {"closed"}
    r = await planning.get(f"/availability/{ids['noor']}/2030-02-26", headers=parent(ids))
    assert {o["reason"] for o in r.json()["options"]} == {"in_the_past"}
    # Sem's placement starts on Tuesday: on Monday he has none.
    r = await planning.get(f"/availability/{ids['sem']}/{MONDAY}", headers=parent(ids))
    assert r.json()["placement"] is None and {o["reason"] for o in r.json()["options"]} == {"no_placement"}


async def test_availability_and_the_overview_show_every_change_of_the_organisation_s_reference_data_at_once(
        planning, monkeypatch):
    """The calendar and day parts are held in the process by version (migration 0009): each kind of change to them
    alters what a parent sees, and the very next read shows it, as a read with nothing held does."""
    ids = await world(planning)
    org, noor = ids["org"], ids["noor"]
    reader = planning.app.state.kit.database.reader
    reads_of_reference = []
    counted = agenda_queries.first

    async def first(db, query, **values):  # type: ignore[no-untyped-def]
        if query is agenda_queries._REFERENCE:
            reads_of_reference.append(values["organisation"])
        return await counted(db, query, **values)

    monkeypatch.setattr(agenda_queries, "first", first)
    days = (TUESDAY, TUESDAY + timedelta(days=7), WEDNESDAY)

    async def seen() -> tuple[Any, ...]:
        answers = []
        for day in days:
            r = await planning.get(f"/availability/{noor}/{day}", headers=parent(ids))
            assert r.status_code == 200, r.text
            answers.append(r.json())
        calendar = (await overview_queries.family_overview(reader, account=uuid.UUID(ids["parent"]),
                                                           family=None)).calendar
        return (*answers, calendar.time_zone, calendar.cancel_window_hours, dict(calendar.closing_days))

    async def sql(statement: str) -> None:
        async with planning.app.state.kit.database.transaction() as session:
            await session.execute(text(statement))

    evening = new_id()
    changes = {
        "settings: Tuesdays closed, 48 hours to cancel": put(
            planning, f"/planning/organisations/{org}/settings",
            {"open_weekdays": [0, 2, 3, 4], "cancel_window_hours": 48, "staff_may_evaluate": True}),
        "a closing day": put(planning, f"/planning/organisations/{org}/closing-days/{WEDNESDAY}",
                             {"reason": "Studiedag"}),
        "the closing day taken away": planning.delete(f"/planning/organisations/{org}/closing-days/{WEDNESDAY}",
                                                      headers=admin(org)),
        "a day part priced anew": put(planning, f"/planning/day-parts/{ids['morning']}", {
            "organisation_id": org, "care_type": "day_care", "name": "Ochtend", "starts_at": "07:30",
            "ends_at": "13:00", "price_per_hour": "11.00"}),
        "a day part added": put(planning, f"/planning/day-parts/{evening}", {
            "organisation_id": org, "care_type": "day_care", "name": "Avond", "starts_at": "18:30",
            "ends_at": "20:00", "price_per_part": "15"}),
        "a day part deleted": sql(f"DELETE FROM day_parts WHERE day_part_id = '{evening}'"),
        "the organisation's time zone": feed(planning, ev.OrganisationUpserted(
            organisation_id=uuid.UUID(org), version=2, name="De Regenboog", time_zone="Pacific/Honolulu")),
        "a closing day again": put(planning, f"/planning/organisations/{org}/closing-days/{WEDNESDAY}",
                                   {"reason": "Brug"}),
        "closing days emptied at once": sql("TRUNCATE closing_days"),
    }
    before = await seen()
    assert reads_of_reference  # nothing held for this organisation yet: read with its version
    for name, change in changes.items():
        reads_of_reference.clear()
        assert await seen() == before and not reads_of_reference, name  # unchanged: what is held answers
        result = await change
        assert getattr(result, "status_code", 204) == 204, name
        after = await seen()
        assert after != before, name  # the change shows on the screens (so the comparison below is not vacuous)
        agenda_queries._held.clear()
        assert await seen() == after, name  # as read with nothing held
        before = after


async def test_the_clock_moves_today_in_the_organisation_zone(planning):
    ids = await world(planning)
    r = await planning.put("/testing/clock", json={"now": "2030-03-04T23:30:00+00:00"}, headers=OPERATOR)
    assert r.status_code == 200 and r.json()["fixed"]
    r = await planning.get(f"/availability/{ids['noor']}/{TUESDAY}", headers=parent(ids))
    assert r.json()["today"] == str(TUESDAY)  # 00:30 in Amsterdam
    r = await planning.get(f"/availability/{ids['sem']}/{MONDAY}", headers=parent(ids))
    assert {o["reason"] for o in r.json()["options"]} == {"in_the_past"}  # before no_placement
    # The agenda's default start is that date too, for the parent and for staff naming the family, and it follows
    # a new time zone at once (the calendar is held by version: migration 0009).
    staff = internal_headers("staff", new_id(), ids["org"])
    for params, headers in (({}, parent(ids)), ({"family_id": ids["family"]}, staff)):
        r = await planning.get("/agenda", params=params, headers=headers)
        assert r.json()["from"] == str(TUESDAY) and r.json()["to"] == str(TUESDAY + timedelta(days=27)), r.text
    r = await planning.put("/testing/clock", json={"now": "2030-03-04T05:00:00+00:00"}, headers=OPERATOR)
    assert (await planning.get("/agenda", headers=parent(ids))).json()["from"] == "2030-03-04"  # 06:00 there
    await feed(planning, ev.OrganisationUpserted(organisation_id=uuid.UUID(ids["org"]), version=2,
                                                 name="De Regenboog", time_zone="Pacific/Honolulu"))
    for params, headers in (({}, parent(ids)), ({"family_id": ids["family"]}, staff)):
        r = await planning.get("/agenda", params=params, headers=headers)
        assert r.json()["from"] == "2030-03-03", r.text  # 19:00 the evening before in Honolulu
    r = await planning.put("/testing/clock", json={"now": "2030-03-04T23:30:00"}, headers=OPERATOR)
    assert r.status_code == 422  # a naive time is ambiguous
    r = await planning.delete("/testing/clock", headers=OPERATOR)
    assert r.status_code == 200 and not r.json()["fixed"]
    assert abs(planning.app.state.clock.now() - datetime.now(UTC)) < timedelta(seconds=30)


async def test_clock_routes_do_not_exist_outside_test():
    app = create_app(Settings(environment="development"))
    from httpx import ASGITransport, AsyncClient

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://service") as client:
        r = await client.put("/testing/clock", json={"now": "2030-03-04T23:30:00+00:00"}, headers=OPERATOR)
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
        assert (await client.delete("/testing/clock", headers=OPERATOR)).status_code == 404
    assert type(app.state.clock).__name__ == "Clock"


# -- calendar feed ---------------------------------------------------------------------------------

async def test_calendar_feed_is_private_revocable_parses_and_follows_changes(planning):
    import icalendar

    ids = await world(planning)
    assert (await planning.get("/calendar-feed", headers=parent(ids))).json() == {"enabled": False,
                                                                                 "created_at": None}
    on = await planning.post("/calendar-feed", headers=parent(ids))
    assert on.status_code == 201, on.text
    url = on.json()["url"]
    secret = url.rsplit("/", 1)[1]
    assert url.startswith("http://localhost:8000/api/v1/calendar-feeds/") and len(secret) >= 43

    async def events() -> list[Any]:
        r = await planning.get(f"/calendar-feeds/{secret}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar"), r.text
        return list(icalendar.Calendar.from_ical(r.content).walk("VEVENT"))

    monday = [e for e in await events() if e.decoded("dtstart").date() == MONDAY]
    assert sorted(str(e["summary"]) for e in monday) == ["Noor: Middag (De Uiltjes)", "Noor: Ochtend (De Uiltjes)"]
    morning = next(e for e in monday if "Ochtend" in str(e["summary"]))
    start = morning.decoded("dtstart")
    assert (start.hour, start.minute, str(start.tzinfo)) == (7, 30, "Europe/Amsterdam")
    assert morning.decoded("dtend").hour == 13 and str(morning["location"]) == "De Uiltjes, Zonnebloem"
    assert not any("Lotte" in str(e["summary"]) for e in await events())  # another family's child: never

    # An accepted extra day appears; an absence cancels the part.
    await add_change(planning, ids, "noor", TUESDAY, "afternoon", 1, "extra_day")
    await add_change(planning, ids, "noor", MONDAY, "morning", -1, "absence")
    after = await events()
    tuesday = [str(e["summary"]) for e in after if e.decoded("dtstart").date() == TUESDAY]
    assert "Noor: Middag (De Uiltjes)" in tuesday
    cancelled = [e for e in after if e.decoded("dtstart").date() == MONDAY and "Ochtend" in str(e["summary"])]
    assert str(cancelled[0]["status"]) == "CANCELLED"

    # Renewing gives a new URL and kills the old; revoking kills it; others cannot touch it.
    renewed = (await planning.post("/calendar-feed", headers=parent(ids))).json()["url"].rsplit("/", 1)[1]
    assert (await planning.get(f"/calendar-feeds/{secret}")).status_code == 404
    secret = renewed
    assert len(await events()) > 0
    assert (await planning.delete("/calendar-feed", headers=parent(ids, "other_parent"))).status_code == 404
    assert (await planning.post("/calendar-feed", headers=admin(ids["org"]))).status_code == 403
    assert (await planning.delete("/calendar-feed", headers=parent(ids))).status_code == 204
    gone = await planning.get(f"/calendar-feeds/{secret}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    assert (await planning.get("/calendar-feeds/not a secret")).status_code in (404, 422)
    assert (await planning.delete("/calendar-feed", headers=parent(ids))).status_code == 404
