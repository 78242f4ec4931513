"""The credits API on real PostgreSQL and Kafka: grants, balances with history, usable credits, who sees what."""

import uuid
from typing import Any

from credits.api.models import ChildCreditsOut
from konnect_contracts.events.directory import ChildUpserted, ParentUpserted
from konnect_contracts.events.requests import LineOutcome, RequestDecided
from konnect_devstack.pytest_plugin import eventually, internal_headers

OPERATOR = internal_headers("platform_operator", "operator-1")


async def _grants_of(env: Any, credit_id: uuid.UUID) -> list[Any]:
    return [e for e in await env.ledger()
            if e.event_type == "CreditGranted" and e.payload["credit_id"] == str(credit_id)]


async def _grants_at_least(env: Any, credit_id: uuid.UUID, count: int) -> list[Any] | None:
    grants = await _grants_of(env, credit_id)
    return grants if len(grants) >= count else None


async def test_grant_is_idempotent_and_never_goes_below_what_is_used(shared_env, credits_app) -> None:
    env, client = shared_env, credits_app
    org, child, credit = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    body = env.grant_body(org, child, "3", care_types=["day_care"], description="Vakantietegoed", external_id="erp-1")
    first = await client.put(f"/credits/{credit}", json=body, headers=OPERATOR)
    assert first.status_code == 200, first.text
    assert first.json()["balance"] == {"granted": "3", "reserved": "0", "consumed": "0", "usable": "3"}
    again = await client.put(f"/credits/{credit}", json=body, headers=internal_headers("erp", "erp-1", str(org)))
    assert again.status_code == 200 and again.json() == first.json()
    await eventually(lambda: _count(_grants_of(env, credit), 1))

    # Two points reserved through the saga, then the grant may go down to 2 but not below.
    line = env.credit_line(child, credit, "2")
    await env.publish(env.wrap(env.submitted(org, line)))
    await eventually(lambda: _usable(client, credit, "1"))
    lower = await client.put(f"/credits/{credit}", json={**body, "amount": "1.5"}, headers=OPERATOR)
    assert lower.status_code == 409 and lower.json()["error"]["code"] == "amount_below_used"
    moved = await client.put(f"/credits/{credit}", json={**body, "child_id": str(uuid.uuid4())}, headers=OPERATOR)
    assert moved.status_code == 409 and moved.json()["error"]["code"] == "credit_in_use"
    ok = await client.put(f"/credits/{credit}", json={**body, "amount": "2"}, headers=OPERATOR)
    assert ok.status_code == 200 and ok.json()["balance"]["usable"] == "0" and ok.json()["state"] == "used_up"
    # Read once the second grant is there (a read of the topic under load may come back short).
    granted = (await eventually(lambda: _grants_at_least(env, credit, 2)))[-1].payload
    assert granted["amount"] == "2" and granted["care_types"] == ["day_care"] and "external_id" not in granted

    other_org = {**body, "organisation_id": str(uuid.uuid4())}
    # A credit cannot move to another organisation: there, its id names nothing.
    assert (await client.put(f"/credits/{credit}", json=other_org, headers=OPERATOR)).status_code == 404
    admin_elsewhere = internal_headers("org_admin", "adm", str(uuid.uuid4()))
    refused = await client.put(f"/credits/{credit}", json=body, headers=admin_elsewhere)
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert (await client.get(f"/credits/{credit}", headers=admin_elsewhere)).status_code == 404
    taken = await client.put(f"/credits/{uuid.uuid4()}", json=body, headers=OPERATOR)  # same external id
    assert taken.status_code == 409


async def test_balance_state_and_history_per_child(shared_env, credits_app) -> None:
    env, client = shared_env, credits_app
    org, child, family = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    main, spare, old = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    admin = internal_headers("org_admin", "adm", str(org))
    bodies = ((main, env.grant_body(org, child, "10", unit="hours")), (spare, env.grant_body(org, child, "4")),
              (old, {**env.grant_body(org, child, "4"), "valid_from": "2020-01-01", "valid_until": "2020-12-31"}))
    for credit, body in bodies:
        assert (await client.put(f"/credits/{credit}", json=body, headers=admin)).status_code == 200
    accepted, rejected, held = (env.credit_line(child, main, a) for a in ("2.5", "3", "1"))
    request = env.submitted(org, accepted, rejected, held, family_id=family)
    await env.publish(env.wrap(request))
    await eventually(lambda: _usable(client, main, "3.5"))
    await env.publish(env.wrap(RequestDecided(
        request_id=request.request_id, organisation_id=org, family_id=family, outcomes=(
            LineOutcome(line_id=accepted.line_id, child_id=child, outcome="accepted"),
            LineOutcome(line_id=rejected.line_id, child_id=child, outcome="rejected", reason="Vol")))))
    await eventually(lambda: _usable(client, main, "6.5"))

    page = await client.get(f"/children/{child}/credits", headers=admin)
    assert page.status_code == 200
    # Written from its content without building the models: the same bytes as ChildCreditsOut writes (amounts
    # without trailing zeros, times in UTC with "Z").
    assert page.content == ChildCreditsOut.model_validate_json(page.content).model_dump_json().encode()
    items = {item["credit_id"]: item for item in page.json()["items"]}
    assert set(items) == {str(main), str(spare), str(old)}
    assert items[str(main)]["balance"] == {"granted": "10", "reserved": "1", "consumed": "2.5", "usable": "6.5"}
    assert items[str(main)]["state"] == "not_yet_valid" and items[str(old)]["state"] == "expired"
    history = {h["line_id"]: h for h in items[str(main)]["history"]}
    assert history[str(accepted.line_id)]["status"] == "consumed" and history[str(accepted.line_id)]["consumed_at"]
    assert history[str(rejected.line_id)]["status"] == "released"
    assert history[str(rejected.line_id)]["cause"] == "rejected" and history[str(rejected.line_id)]["released_at"]
    assert history[str(held.line_id)] | {"reserved_at": None} == {
        "request_id": str(request.request_id), "line_id": str(held.line_id), "amount": "1", "status": "reserved",
        "cause": None, "reserved_at": None, "consumed_at": None, "released_at": None}
    assert items[str(spare)]["history"] == []


async def test_usable_credits_fit_dates_rule_care_type_and_amount(shared_env, credits_app) -> None:
    env, client = shared_env, credits_app
    org, child = uuid.uuid4(), uuid.uuid4()
    admin = internal_headers("org_admin", "adm", str(org))
    credits = {
        "any": env.grant_body(org, child, "5"),
        "holiday": env.grant_body(org, child, "5", usage_rule="holiday_weeks"),
        "school": env.grant_body(org, child, "5", usage_rule="school_weeks"),
        "after_school": env.grant_body(org, child, "5", care_types=["after_school"]),
        "small": env.grant_body(org, child, "1"),
        "march": {**env.grant_body(org, child, "5"), "valid_from": "2031-03-01", "valid_until": "2031-03-31"},
    }
    ids = {name: uuid.uuid4() for name in credits}
    for name, body in credits.items():
        assert (await client.put(f"/credits/{ids[name]}", json=body, headers=admin)).status_code == 200

    async def usable(**params: Any) -> set[str]:
        response = await client.get(f"/children/{child}/credits/usable", params=params, headers=admin)
        assert response.status_code == 200, response.text
        by_id = {v: k for k, v in ids.items()}
        return {by_id[uuid.UUID(item["credit_id"])] for item in response.json()["items"]}

    school_day = {"starts_on": "2031-03-10", "care_type": "day_care", "amount": "2", "in_school_holiday": "false"}
    assert await usable(**school_day) == {"any", "school", "march"}
    assert await usable(**{**school_day, "in_school_holiday": "true"}) == {"any", "holiday", "march"}
    assert await usable(**{**school_day, "care_type": "after_school"}) == {"any", "school", "after_school", "march"}
    assert await usable(**{**school_day, "ends_on": "2031-04-02"}) == {"any", "school"}  # every date counts
    assert await usable(**{**school_day, "amount": "1"}) == {"any", "school", "small", "march"}
    assert await usable(starts_on="2031-03-10") == {"any", "small", "march"}  # unknown holiday: no week rules
    assert await usable(starts_on="2032-01-05") == set()


async def test_parents_see_their_own_familys_children_only(shared_env, credits_app) -> None:
    env, client = shared_env, credits_app
    org, family, other_family = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    child, stranger_child, parent, other_parent = (uuid.uuid4() for _ in range(4))
    await env.publish(*(env.wrap(p) for p in (
        ChildUpserted(organisation_id=org, version=1, child_id=child, family_id=family, first_name="Noor",
                      last_name="Jansen", birth_date="2022-01-01"),  # type: ignore[arg-type]
        ChildUpserted(organisation_id=org, version=1, child_id=stranger_child, family_id=other_family,
                      first_name="Sem", last_name="Bakker", birth_date="2022-01-01"),  # type: ignore[arg-type]
        ParentUpserted(organisation_id=org, version=1, account_id=parent, family_id=family, name="Anne",
                       email="anne@example.test"),
        ParentUpserted(organisation_id=org, version=1, account_id=other_parent, family_id=other_family,
                       name="Bram", email="bram@example.test"),
    )))
    credit = uuid.uuid4()
    # Granted before or after the directory arrived: the read model fills in the family either way.
    await eventually(lambda: _known_child(env, child))
    granted = await client.put(f"/credits/{credit}", json=env.grant_body(org, child), headers=OPERATOR)
    assert granted.json()["family_id"] == str(family)

    mine = internal_headers("parent", str(parent), str(org))
    theirs = internal_headers("parent", str(other_parent), str(org))
    await eventually(lambda: _status(client, f"/children/{child}/credits", mine, 200))
    own = (await client.get(f"/children/{child}/credits", headers=mine)).json()
    assert [item["credit_id"] for item in own["items"]] == [str(credit)]
    assert (await client.get(f"/credits/{credit}", headers=mine)).status_code == 200
    usable = await client.get(f"/children/{child}/credits/usable", params={"starts_on": "2031-05-01"}, headers=mine)
    assert usable.status_code == 200 and len(usable.json()["items"]) == 1

    for path in (f"/children/{child}/credits", f"/children/{child}/credits/usable?starts_on=2031-05-01",
                 f"/credits/{credit}"):
        for who in (theirs, internal_headers("staff", str(uuid.uuid4()), str(org)),
                    internal_headers("parent", str(parent), str(uuid.uuid4())),
                    internal_headers("org_admin", "adm", str(uuid.uuid4()))):
            response = await client.get(path, headers=who)
            assert response.status_code == 404 and response.json()["error"]["code"] == "not_found", (path, who)
    assert (await client.get(f"/children/{stranger_child}/credits", headers=theirs)).status_code == 200
    refused = await client.put(f"/credits/{uuid.uuid4()}", json=env.grant_body(org, child), headers=mine)
    assert refused.status_code == 403
    wrong_org = await client.put(f"/credits/{uuid.uuid4()}", json=env.grant_body(uuid.uuid4(), child), headers=OPERATOR)
    assert wrong_org.status_code == 422 and wrong_org.json()["error"]["code"] == "unknown_reference"


async def test_a_childs_credits_screen_shows_each_caller_only_its_organisations_credits(shared_env,
                                                                                      credits_app) -> None:
    """Credits of two organisations for one child (one granted before the directory knew the child elsewhere):
    the operator sees both, the child's organisation and family see their own only, the other one nothing."""
    env, client = shared_env, credits_app
    org, earlier_org, family, child, parent = (uuid.uuid4() for _ in range(5))
    earlier, own = uuid.uuid4(), uuid.uuid4()
    earlier_admin = internal_headers("org_admin", "adm", str(earlier_org))
    assert (await client.put(f"/credits/{earlier}", json=env.grant_body(earlier_org, child),
                             headers=earlier_admin)).status_code == 200
    before = await client.get(f"/children/{child}/credits", headers=earlier_admin)  # the child unknown yet
    assert [item["credit_id"] for item in before.json()["items"]] == [str(earlier)]
    await env.publish(*(env.wrap(p) for p in (
        ChildUpserted(organisation_id=org, version=1, child_id=child, family_id=family, first_name="Noor",
                      last_name="Jansen", birth_date="2022-01-01"),  # type: ignore[arg-type]
        ParentUpserted(organisation_id=org, version=1, account_id=parent, family_id=family, name="Anne",
                       email="anne@example.test"),
    )))
    await eventually(lambda: _known_child(env, child))
    assert (await client.put(f"/credits/{own}", json=env.grant_body(org, child, "2"),
                             headers=OPERATOR)).status_code == 200

    async def shown(headers: dict[str, str]) -> list[str]:
        response = await client.get(f"/children/{child}/credits", headers=headers)
        assert response.status_code == 200, response.text
        return sorted(item["credit_id"] for item in response.json()["items"])

    assert await shown(OPERATOR) == sorted([str(earlier), str(own)])
    assert await shown(internal_headers("org_admin", "adm", str(org))) == [str(own)]
    mine = internal_headers("parent", str(parent), str(org))
    await eventually(lambda: _status(client, f"/children/{child}/credits", mine, 200))
    assert await shown(mine) == [str(own)]
    elsewhere = await client.get(f"/children/{child}/credits", headers=earlier_admin)
    assert elsewhere.status_code == 404 and elsewhere.json()["error"]["code"] == "not_found"


async def test_bad_input_gets_a_uniform_4xx(shared_env, credits_app) -> None:
    env, client = shared_env, credits_app
    org, child = uuid.uuid4(), uuid.uuid4()
    bad_grants = [
        {**env.grant_body(org, child), "amount": "0"},
        {**env.grant_body(org, child), "amount": "-1"},
        {**env.grant_body(org, child), "amount": "lots"},
        {**env.grant_body(org, child), "valid_until": "2030-01-01"},
        {**env.grant_body(org, child), "unit": "euros"},
        {**env.grant_body(org, child), "usage_rule": "weekends"},
        {**env.grant_body(org, child), "care_types": ["swimming"]},
        {**env.grant_body(org, child), "surprise": True},
        {k: v for k, v in env.grant_body(org, child).items() if k != "child_id"},
    ]
    for body in bad_grants:
        response = await client.put(f"/credits/{uuid.uuid4()}", json=body, headers=OPERATOR)
        assert response.status_code == 422, body
        assert response.json()["error"]["code"] == "validation_failed"
    nul = await client.put(f"/credits/{uuid.uuid4()}", json=env.grant_body(org, child, description="a\u0000b"),
                           headers=OPERATOR)
    assert 400 <= nul.status_code < 500
    not_uuid = await client.put("/credits/not-a-uuid", json=env.grant_body(org, child), headers=OPERATOR)
    assert not_uuid.status_code == 422
    assert (await client.get(f"/credits/{uuid.uuid4()}", headers=OPERATOR)).status_code == 404
    for params in ({}, {"starts_on": "yesterday"}, {"starts_on": "2031-03-10", "ends_on": "2031-03-01"},
                   {"starts_on": "2031-03-10", "amount": "0"}, {"starts_on": "2031-03-10", "care_type": "x"}):
        response = await client.get(f"/children/{child}/credits/usable", params=params, headers=OPERATOR)
        assert response.status_code == 422 and "error" in response.json(), params
    assert (await client.get(f"/children/{child}/credits", headers=internal_headers(None))).status_code == 401
    wrong_token = internal_headers("platform_operator", "op", token="nope")
    assert (await client.get(f"/children/{child}/credits", headers=wrong_token)).status_code == 401


async def _count(awaitable: Any, expected: int) -> bool:
    return len(await awaitable) == expected


async def _usable(client: Any, credit: uuid.UUID, expected: str) -> bool:
    response = await client.get(f"/credits/{credit}", headers=OPERATOR)
    return response.status_code == 200 and response.json()["balance"]["usable"] == expected


async def _known_child(env: Any, child: uuid.UUID) -> bool:
    return bool(await env.fetch("SELECT 1 FROM directory_children WHERE child_id = $1", child))


async def _status(client: Any, path: str, headers: dict[str, str], expected: int) -> bool:
    return (await client.get(path, headers=headers)).status_code == expected
