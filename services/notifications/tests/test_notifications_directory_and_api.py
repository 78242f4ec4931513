"""The recipients read model from directory upserts, and who may read the delivery log."""

import uuid
from typing import Any

from konnect_contracts.events.directory import ParentUpserted, StaffUpserted
from konnect_devstack.pytest_plugin import eventually, internal_headers, running_app
from notifications.main import create_app


async def test_recipients_keep_the_newest_version_of_parents_and_staff(notifications_env) -> None:
    env = notifications_env
    org, family, parent_account, staff_account = (uuid.uuid4() for _ in range(4))

    def parent(version: int, name: str, **extra: Any) -> ParentUpserted:
        return ParentUpserted(organisation_id=org, version=version, account_id=parent_account, family_id=family,
                              name=name, email=f"{name.lower()}@example.test", **extra)

    staff = StaffUpserted(organisation_id=org, version=1, staff_id=uuid.uuid4(), account_id=staff_account,
                          name="Juf Sanne", email="sanne@example.test")
    no_login = StaffUpserted(organisation_id=org, version=1, staff_id=uuid.uuid4(), name="Invaller")
    # Same organisation → same partition → this order; the stale version 2 arrives after version 3.
    await env.publish(*(env.wrap(p) for p in (parent(1, "Anne"), parent(3, "Annemarie", language="en"),
                                              parent(2, "Stale"), staff, no_login)))

    async with running_app(create_app(env.settings())):
        rows = await eventually(lambda: _recipients(env, 2))
    by_role = {r["role"]: r for r in rows}
    assert by_role["parent"]["display_name"] == "Annemarie" and by_role["parent"]["version"] == 3
    assert by_role["parent"]["language"] == "en" and by_role["parent"]["email"] == "annemarie@example.test"
    assert by_role["parent"]["family_id"] == family and by_role["parent"]["active"]
    assert by_role["staff"]["account_id"] == staff_account and by_role["staff"]["language"] == "nl"

    await env.publish(env.wrap(parent(4, "Annemarie", deleted=True)))
    async with running_app(create_app(env.settings())):
        await eventually(lambda: _parent_version(env, parent_account, 4))
    rows = await env.fetch("SELECT role, active FROM recipients")
    assert {r["role"]: r["active"] for r in rows} == {"parent": False, "staff": True}


async def _recipients(env: Any, expected: int) -> list[Any] | None:
    rows = await env.fetch("SELECT * FROM recipients ORDER BY role")
    settled = len(rows) == expected and any(r["version"] == 3 for r in rows)
    return rows if settled else None


async def _parent_version(env: Any, account_id: uuid.UUID, version: int) -> bool:
    rows = await env.fetch("SELECT version FROM recipients WHERE account_id = $1 AND role = 'parent'", account_id)
    return bool(rows) and rows[0]["version"] == version


async def test_delivery_log_is_for_operators_and_their_own_organisation(notifications_env) -> None:
    env = notifications_env
    org, other_org = uuid.uuid4(), uuid.uuid4()
    address = env.address()
    await env.publish(env.wrap(env.invited(address, organisation_id=org)))

    async with running_app(create_app(env.settings())) as client:
        async def log_for(headers: dict[str, str]) -> Any:
            return await client.get("/deliveries", params={"recipient": address.upper()}, headers=headers)

        operator = internal_headers("platform_operator", "op-1")
        items = await eventually(lambda: _sent_items(log_for, operator))
        assert items[0]["recipient"] == address and items[0]["organisation_id"] == str(org)

        own_admin = await log_for(internal_headers("org_admin", "adm-1", str(org)))
        assert own_admin.status_code == 200 and len(own_admin.json()["items"]) == 1
        other_admin = await log_for(internal_headers("org_admin", "adm-2", str(other_org)))
        assert other_admin.status_code == 200 and other_admin.json()["items"] == []

        for role in ("parent", "staff", "erp"):
            refused = await log_for(internal_headers(role, "x", str(org)))
            assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        assert (await log_for(internal_headers(None))).status_code == 401
        assert (await log_for(internal_headers("platform_operator", token="wrong"))).status_code == 401
        missing = await client.get("/deliveries", headers=operator)
        assert missing.status_code == 422


async def _sent_items(log_for: Any, headers: dict[str, str]) -> list[Any] | None:
    response = await log_for(headers)
    items = response.json()["items"]
    return items if items and items[0]["status"] == "sent" else None
